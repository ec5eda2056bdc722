"""Members submitting while a large import saves, on SQLite (issue 9 items 6 and 7).

    nice -n 10 .venv/bin/python benchmarks/import_vs_submit.py --rows 20000 --submitters 3

A throw-away SQLite *file* database (WAL, ``BEGIN IMMEDIATE``: the project's
settings) is migrated and given a small union tree, a programme open now, an
officer and some members.  Then:

1. ``race``: ``--posts`` members' tabs post the same text at the same instant
   (a barrier), each with its own form token, through the real submit view
   (Django's test client, one thread and database connection per post).
   Exactly one initiative must be created (the exact-text claim).
2. ``import`` twice — saved in chunks (the SQLite default) and, for
   comparison, in one transaction (what it did before): an import of
   ``--rows`` rows is checked, confirmed and saved (in a child process, like
   the task worker) while
   ``--submitters`` members post submissions one after another through the
   submit view until it is saved.  Measured: the longest write transaction
   of the import (from ``BEGIN IMMEDIATE`` acquired to just before
   ``COMMIT``), each submission's latency and status (302 saved, 503 busy),
   the save's duration, and the load average.

The figures are printed as JSON (``--json``) or as the
``## Import vs. submissions on SQLite (issue 9)`` section of
``docs/benchmarks.md`` (``--out``).  Everything runs in this process on
127.0.0.1-less test clients: no server, no port.  Loops are bounded
(``--max-seconds``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))
from benchmarks.docs_section import replace_section  # noqa: E402

SECTION = "## Import vs. submissions on SQLite (issue 9)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="rows of the import")
    parser.add_argument("--submitters", type=int, default=3, help="members submitting during the import")
    parser.add_argument("--posts", type=int, default=20, help="concurrent posts of the same text (race)")
    parser.add_argument("--modes", default="chunked,single", help="chunked, single or both (comma-separated)")
    parser.add_argument("--max-seconds", type=float, default=600, help="bound of each import's submission loop")
    parser.add_argument("--work", default="", help="working directory (default: a temporary one, deleted)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--json", action="store_true", help="print JSON, do not write the document")
    parser.add_argument("--save-job", type=int, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--chunked", default="1", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def setup_django(work: Path, *, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["SANGKIEN_MEDIA_ROOT"] = str(work / "media")
    os.environ["SANGKIEN_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def seed(members: int) -> dict[str, Any]:
    """A province → district → 20 grassroots tree, a programme open now, an officer, members."""
    import datetime as dt

    from benchmarks.import_export import add_unit as add
    from sangkien.accounts.models import User
    from sangkien.core.clock import now
    from sangkien.programmes.models import Field, Phase, Programme
    from sangkien.roles.models import Role, RoleAssignment
    from sangkien.units.models import UnitKind

    root = add(None, code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)
    province = add(root, code="37", name="LĐLĐ tỉnh Ninh Bình", kind=UnitKind.PROVINCIAL_FEDERATION)
    district = add(province, code="3701", name="LĐLĐ huyện số 1", kind=UnitKind.DISTRICT_FEDERATION)
    grassroots = []
    for g in range(1, 21):
        unit = add(district, code=f"3701-{g:04d}", name=f"CĐCS Công ty May 01-{g:02d}", kind=UnitKind.GRASSROOTS,
                   member_count=3000)  # 60,000 members: a 20,000-row import is plausible (issue 9.8)
        grassroots.append(unit)
    programme = Programme.objects.create(slug="01-trieu-sang-kien", name="01 triệu sáng kiến", organiser=root)
    current = now()
    today = current.date()
    Phase.objects.create(programme=programme, number=1, submission_start=current - dt.timedelta(days=1),
                         submission_end=current + dt.timedelta(days=60),
                         effect_start=today - dt.timedelta(days=365), effect_end=today + dt.timedelta(days=30))
    Field.objects.create(code="f0", name="Sản xuất, kinh doanh", position=0)
    officer = User.objects.create(username="officer", full_name="Cán bộ tỉnh", email="officer@bench.vn")
    RoleAssignment.objects.create(user=officer, unit=province, role=Role.SUPPORT_TEAM)
    users = [User.objects.create(username=f"member{i}", full_name=f"Nguyễn Thị Hoa {i}", email=f"m{i}@bench.vn")
             for i in range(members)]
    return {"programme": programme, "province": province, "district": district, "grassroots": grassroots,
            "officer": officer, "members": users}


def submission(world: dict[str, Any], member: Any, *, title: str, description: str) -> dict[str, str]:
    unit = world["grassroots"][0]
    return {
        "author_full_name": member.full_name, "author_phone": "", "author_email": member.email,
        "unit_1": world["province"].code, "unit_2": world["district"].code, "unit_3": unit.code,
        "sector_block": "enterprise", "title": title, "description": description, "benefit_vnd": "1,5 triệu",
        "recognition_form": "", "submission_token": uuid.uuid4().hex,
    }


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.member = user
    return client


def race(world: dict[str, Any], posts: int) -> dict[str, Any]:
    """``posts`` tabs of one member post the same text at once."""
    from django.db import connections
    from django.urls import reverse

    from sangkien.initiatives.models import Initiative

    member = world["members"][0]
    url = reverse("initiatives:submit", args=[world["programme"].slug])
    data = submission(world, member, title="Máy nhuộm vải tiết kiệm nước",
                      description="Tuần hoàn nước nhuộm qua bể lắng. Giảm 30 % lượng nước mỗi ca.")
    clients = [_client(member) for _i in range(posts)]
    barrier = threading.Barrier(posts, timeout=60)
    statuses: list[int] = []

    def post(client: Any) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(url, data | {"submission_token": uuid.uuid4().hex}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    created = Initiative.objects.filter(submitted_by=member).count()
    return {"posts": posts, "initiatives": created, "statuses": sorted(statuses)}


def _import_file(world: dict[str, Any], rows: int, work: Path, seed_no: int) -> Path:
    import datetime as dt
    import random

    from benchmarks.import_export import _good_row, _write_file

    rng = random.Random(seed_no)
    units = [f"{u.name} ({u.code})" for u in world["grassroots"]]
    today = dt.date.today()
    data = [_good_row(rng, seed_no * 1_000_000 + i, units, today) for i in range(rows)]
    for row in data:  # distinct people per run: a second import must not find the first one's rows
        row["author_phone"] = f"08{seed_no}{row['author_phone'][3:]}"
        row["author_email"] = ""
        row["co_authors"] = ""
    path = work / f"import-{seed_no}.xlsx"
    _write_file(path, data)
    return path


def import_while_submitting(world: dict[str, Any], *, rows: int, submitters: int, chunked: bool, work: Path,
                            seed_no: int, max_seconds: float) -> dict[str, Any]:
    """Save an import of ``rows`` rows (another process) while ``submitters`` members submit."""
    from django.db import connections
    from django.urls import reverse

    from sangkien.imports import services

    path = _import_file(world, rows, work, seed_no)
    officer = world["officer"]
    with path.open("rb") as fh:
        job = services.create_import_job(upload=fh, name=path.name, programme=world["programme"],
                                         unit=world["province"], actor=officer)
    job = services.check_job(job.pk)
    job = services.confirm_job(job=job, mode="valid", actor=officer)

    # The save runs in its own process, as in production (the task worker): it
    # shares the database file with the submissions, not this process's GIL.
    done = threading.Event()
    saved: dict[str, Any] = {}

    def save() -> None:
        try:
            child = subprocess.run(
                [sys.executable, __file__, "--save-job", str(job.pk), "--chunked", "1" if chunked else "0",
                 "--work", str(work)], capture_output=True, text=True, timeout=max_seconds + 60, check=False)
            if child.returncode != 0:
                raise RuntimeError(child.stderr[-3000:])
            saved.update(json.loads(child.stdout.strip().splitlines()[-1]))
        finally:
            done.set()

    url = reverse("initiatives:submit", args=[world["programme"].slug])
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def submit(n: int, client: Any) -> None:
        try:
            k = 0
            while not done.is_set() and time.monotonic() < deadline:
                k += 1
                data = submission(world, client.member, title=f"Sáng kiến số {seed_no}-{n}-{k} của thành viên {n}",
                                  description=f"Cải tiến quy trình {n}.{k} tại phân xưởng; giảm thời gian thao tác.")
                started = time.perf_counter()
                status = client.post(url, data).status_code
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses.append(status)
                time.sleep(0.2)
        finally:
            connections.close_all()

    clients = [_client(world["members"][1 + n]) for n in range(submitters)]
    threads = [threading.Thread(target=save)] + [threading.Thread(target=submit, args=(n, c))
                                                 for n, c in enumerate(clients)]
    load_before = os.getloadavg()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 60)
    holds = saved.get("holds", [])
    longest = max(holds) if holds else saved.get("transaction_s", 0.0)  # one transaction: the whole save
    ordered = sorted(latencies)
    return {
        "mode": "chunked" if chunked else "single", "rows": rows, "status": saved.get("status"),
        "rows_saved": saved.get("rows_saved"), "save_s": round(saved.get("seconds", 0.0), 2),
        "transactions": len(holds) or 1, "longest_write_s": round(longest, 3),
        "median_write_s": round(statistics.median(holds), 3) if holds else round(longest, 3),
        "submissions": len(statuses), "saved": statuses.count(302), "busy_503": statuses.count(503),
        "other": sorted({s for s in statuses if s not in (302, 503)}),
        "latency_p50_s": round(ordered[len(ordered) // 2], 3) if ordered else None,
        "latency_max_s": round(ordered[-1], 3) if ordered else None,
        "load_avg_1m": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }


def save_job_timed(job_id: int, *, chunked: bool) -> dict[str, Any]:
    """Child process: save import ``job_id``, timing each write transaction."""
    from sangkien.imports import services

    holds: list[float] = []
    original_chunks = services._chunks

    def timed_chunks(job: Any) -> Any:
        chunks = original_chunks(job)

        @contextmanager
        def timed() -> Any:
            with chunks.open() as record:
                started = time.perf_counter()  # BEGIN IMMEDIATE done: the lock is ours
                yield record
                holds.append(time.perf_counter() - started)
        return dataclasses.replace(chunks, open=timed)

    services._chunks = timed_chunks
    services.saves_in_chunks = lambda: chunked
    started = time.perf_counter()
    result = services.save_job(job_id)
    return {"status": result.status, "rows_saved": result.rows_saved, "seconds": time.perf_counter() - started,
            "transaction_s": (result.report or {}).get("durations", {}).get("save_s", 0.0), "holds": holds}


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="sangkien-import-vs-submit-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        setup_django(work)
        from django.conf import settings

        world = seed(members=1 + args.submitters)
        result: dict[str, Any] = {"database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                                  "cpus": os.cpu_count(), "race": race(world, args.posts), "imports": []}
        modes = [m.strip() for m in args.modes.split(",") if m.strip()]
        for number, mode in enumerate(modes, start=1):
            result["imports"].append(import_while_submitting(
                world, rows=args.rows, submitters=args.submitters, chunked=mode == "chunked", work=work,
                seed_no=number, max_seconds=args.max_seconds))
        return result
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [SECTION, "",
             f"`benchmarks/import_vs_submit.py --rows {args.rows} --submitters {args.submitters} "
             f"--posts {args.posts}` — SQLite file database (WAL, `BEGIN IMMEDIATE`, busy timeout from the "
             f"settings), {result['cpus']} CPUs shared with other work; submissions go through the submit "
             "view (Django test client, one thread and connection each); the import's write transactions "
             "are timed from the lock acquired to just before `COMMIT`.", "",
             f"Race: {result['race']['posts']} posts of the same text by one member at the same instant → "
             f"**{result['race']['initiatives']} initiative** (statuses {result['race']['statuses']}).", "",
             "| import saved | rows | save | write transactions | longest write | median write | "
             "submissions | saved | 503 busy | latency p50 | latency max | load avg 1 min (before → after) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for imp in result["imports"]:
        label = "in chunks (now)" if imp["mode"] == "chunked" else "in one transaction (before)"
        lines.append(f"| {label} | {imp['rows']} | {imp['save_s']} s | {imp['transactions']} | "
                     f"{imp['longest_write_s']} s | {imp['median_write_s']} s | {imp['submissions']} | "
                     f"{imp['saved']} | {imp['busy_503']} | {imp['latency_p50_s']} s | {imp['latency_max_s']} s | "
                     f"{imp['load_avg_1m'][0]} → {imp['load_avg_1m'][1]} |")
    lines += ["", "In one transaction the import holds SQLite's only write lock for the whole save: a "
              "submission arriving meanwhile waits until it commits, and past the busy timeout (10 s) is "
              "refused (now a 503 with the form kept; before issue 9 a 500 with the text lost).  In chunks "
              "each write transaction is short and submissions are saved between two chunks; the import "
              "yields to them, so under a constant stream of submissions it takes longer (the 'save' "
              "column) — without submissions the chunked save costs about the same as one transaction.  "
              "The longest single write and the worst latency are at the mercy of the machine's load "
              "(SQLite's busy handler polls with sleeps of up to 100 ms, without a queue).", ""]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace (or append) only our section of ``path``; the other sections are kept."""
    replace_section(path, SECTION, text)


def main(argv: list[str] | None = None) -> int:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the throw-away database is deleted
    args = parse_args(argv)
    if args.save_job:
        setup_django(Path(args.work), migrate=False)
        print(json.dumps(save_job_timed(args.save_job, chunked=args.chunked == "1")))
        return 0
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return 0
    text = report(result, args)
    print(text)
    write_section(Path(args.out), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

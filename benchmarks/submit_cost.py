"""The cost of one submission (form page + POST), in process, before and after (issue 12).

    .venv/bin/python benchmarks/submit_cost.py --base /work/wt-postcost-base --write-doc
    scripts/with-postgres.sh .venv/bin/python benchmarks/submit_cost.py --base /work/wt-postcost-base --write-doc

For each code tree (``--base``: another checkout, e.g. main's, read-only; and
this one) and each database (a throw-away SQLite file under /tmp; PostgreSQL
too when ``DATABASE_URL`` points at a throw-away server on 127.0.0.1, where a
``test_…`` database is created and dropped), a child process migrates a fresh
database, seeds a union tree, a programme open now, fields and ``--n``
members, then — after ``--warm`` unmeasured rounds — each member loads the
form (``?don-vi=CODE``, as a QR link) and posts it through Django's test
client (no server).  Each answer is checked (200, then 302 to the new
initiative) and the number of initiatives must equal the successful posts.

Measured per submission: the process CPU (``time.process_time()``, test client
included, the same for both trees), split form page / POST, the queries of
each (a counting ``execute_wrapper``), and on PostgreSQL the CPU of the
server backend serving this connection (``/proc/<pid>/stat`` utime+stime).
The trees run alternately, ``--rounds`` times each; the median round counts.
``--write-doc`` writes the ``## Submission cost (issue 12)`` section of
docs/benchmarks.md with the load average; ``--json`` prints the figures.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Submission cost (issue 12)"
PY = str(ROOT / ".venv" / "bin" / "python")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="measured submissions per round")
    parser.add_argument("--warm", type=int, default=10, help="unmeasured submissions first")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per code tree (alternating)")
    parser.add_argument("--base", default="", help="the checkout measured as 'before' (e.g. main's worktree)")
    parser.add_argument("--units", type=int, default=0,
                        help="more grassroots unions in the tree, e.g. 130000: the national tree's size")
    parser.add_argument("--write-doc", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)  # code tree measured by a child
    return parser.parse_args(argv)


# --- the child: one code tree, one database -------------------------------------------------------------


def _setup(code: Path) -> None:
    """Django from the checkout ``code`` on a fresh database (SQLite file, or a PostgreSQL test database),
    with a throw-away media folder removed when the process ends."""
    sys.path.insert(0, str(code))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
    os.environ["SANGKIEN_DEBUG"] = "0"  # as in production: no query log
    os.environ["SANGKIEN_ALLOWED_HOSTS"] = "testserver"
    os.environ["SANGKIEN_MEDIA_ROOT"] = media = tempfile.mkdtemp(prefix="sk-submit-cost-media-")
    atexit.register(shutil.rmtree, media, ignore_errors=True)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def more_grassroots(parent: Any, n: int) -> None:
    """``n`` more grassroots unions under ``parent``, written in batches (treebeard's paths, ``numchild``
    kept): the tree at the national size without ``n`` calls of ``add_child`` (also used by
    ``surge_setup.py``)."""
    from sangkien.units.models import Unit, UnitKind

    parent.refresh_from_db()
    first = parent.numchild + 1
    for start in range(first, first + n, 5000):
        Unit.objects.bulk_create([
            Unit(path=Unit._get_path(parent.path, parent.depth + 1, step), depth=parent.depth + 1, numchild=0,
                 code=f"{parent.code}-X{step:06d}", name=f"CĐCS đơn vị số {step}", kind=UnitKind.GRASSROOTS,
                 member_count=200)
            for step in range(start, min(start + 5000, first + n))])
    Unit.objects.filter(pk=parent.pk).update(numchild=parent.numchild + n)


def _seed(members: int, units: int = 0) -> dict[str, Any]:
    """A province → district → 30 grassroots tree (and ``units`` more grassroots unions in another
    province's district), a programme open now, 12 fields, ``members`` members."""
    from sangkien.accounts.models import User
    from sangkien.core.clock import now
    from sangkien.programmes.models import Field, Phase, Programme
    from sangkien.units.models import Unit, UnitKind

    def add(parent: Any, **fields: Any) -> Any:
        if parent is None:
            return Unit.objects.add_root(fields)
        parent.refresh_from_db()
        return Unit.objects.add_child(parent, fields)

    root = add(None, code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)
    province = add(root, code="37", name="LĐLĐ tỉnh Ninh Bình", kind=UnitKind.PROVINCIAL_FEDERATION)
    for p in range(1, 6):
        add(root, code=f"9{p}", name=f"LĐLĐ tỉnh số {p}", kind=UnitKind.PROVINCIAL_FEDERATION)
    district = add(province, code="3701", name="LĐLĐ huyện số 1", kind=UnitKind.DISTRICT_FEDERATION)
    grassroots = [add(district, code=f"3701-{g:04d}", name=f"CĐCS Công ty May 01-{g:02d}",
                      kind=UnitKind.GRASSROOTS, member_count=3000) for g in range(1, 31)]
    if units:
        other = Unit.objects.get(code="91")
        more_grassroots(add(other, code="9101", name="LĐLĐ huyện số 91", kind=UnitKind.DISTRICT_FEDERATION), units)
    programme = Programme.objects.create(slug="01-trieu-sang-kien", name="01 triệu sáng kiến", organiser=root)
    current = now()
    Phase.objects.create(programme=programme, number=1, submission_start=current - dt.timedelta(days=1),
                         submission_end=current + dt.timedelta(days=60),
                         effect_start=current.date() - dt.timedelta(days=365),
                         effect_end=current.date() + dt.timedelta(days=30))
    for f in range(12):
        Field.objects.create(code=f"f{f}", name=f"Lĩnh vực số {f}", position=f)
    users = [User.objects.create(username=f"member{i}", full_name=f"Nguyễn Thị Hoa {i}", email=f"m{i}@bench.vn")
             for i in range(members)]
    return {"programme": programme, "province": province, "district": district, "grassroots": grassroots,
            "members": users}


def submission_data(world: dict[str, Any], index: int, member: Any, unit: Any, page: bytes) -> dict[str, str]:
    """The POST of member ``member``'s ``index``-th submission to ``unit`` from the form ``page``
    (its HTML: the submission token is read from it); ``world`` as :func:`_seed` returns it."""
    token = re.search(rb'name="submission_token" value="([0-9a-f]+)"', page)
    assert token is not None
    return {"author_full_name": member.full_name, "author_phone": "", "author_email": member.email,
            "unit_1": world["province"].code, "unit_2": world["district"].code, "unit_3": unit.code,
            "sector_block": "enterprise", "title": f"Sáng kiến tiết kiệm nước số {index} {uuid.uuid4().hex[:6]}",
            "description": f"Tuần hoàn nước nhuộm qua bể lắng số {index}. Giảm 30 % lượng nước mỗi ca.",
            "benefit_vnd": "1,5 triệu", "recognition_form": "", "submission_token": token.group(1).decode()}


def _backend_cpu_ms(pid: int | None) -> float:
    """utime + stime of process ``pid`` in ms (0 when there is none or it cannot be read)."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def child(code: Path, n: int, warm: int, units: int = 0) -> dict[str, Any]:
    """Measure ``n`` submissions with the checkout ``code``; the figures as a dict."""
    _setup(code)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from sangkien.initiatives.models import Initiative

    world = _seed(n + warm, units)
    url = reverse("initiatives:submit", args=[world["programme"].slug])
    clients = []
    for member in world["members"]:
        client = Client()
        client.force_login(member)
        clients.append((client, member))
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    counted = {"n": 0}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted["n"] += 1
        return execute(sql, params, many, context)

    cpu = {"get": 0.0, "post": 0.0}
    queries = {"get": 0, "post": 0}
    db_cpu = 0.0
    ok = 0
    with connection.execute_wrapper(count):
        for index, (client, member) in enumerate(clients):
            unit = world["grassroots"][index % len(world["grassroots"])]
            measured = index >= warm
            if index == warm:
                db_started = _backend_cpu_ms(backend)
            counted["n"] = 0
            started = time.process_time()
            page = client.get(url, {"don-vi": unit.code})
            spent_get = time.process_time() - started
            queries_get = counted["n"]
            assert page.status_code == 200, page.status_code
            data = submission_data(world, index, member, unit, page.content)
            counted["n"] = 0
            started = time.process_time()
            response = client.post(url, data)
            spent_post = time.process_time() - started
            assert response.status_code == 302, (response.status_code, response.content[:2000])
            assert "/sang-kien/" in response["Location"] or "SK-" in response["Location"], response["Location"]
            ok += 1
            if measured:
                cpu["get"] += spent_get
                cpu["post"] += spent_post
                queries["get"] += queries_get
                queries["post"] += counted["n"]
        db_cpu = _backend_cpu_ms(backend) - db_started
    saved = Initiative.objects.count()
    assert saved == ok, (saved, ok)  # nothing lost or doubled
    result = {
        "vendor": connection.vendor, "n": n, "saved": saved,
        "cpu_ms_get": round(cpu["get"] * 1000 / n, 2), "cpu_ms_post": round(cpu["post"] * 1000 / n, 2),
        "cpu_ms": round((cpu["get"] + cpu["post"]) * 1000 / n, 2),
        "queries_get": round(queries["get"] / n, 2), "queries_post": round(queries["post"] / n, 2),
        "db_cpu_ms": round(db_cpu / n, 2) if backend else None,
    }
    if connection.vendor == "postgresql":
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return result


# --- the parent: alternate the trees, keep the median round ----------------------------------------------


def run_child(code: Path, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ, DATABASE_URL=database_url)
    out = subprocess.run([PY, __file__, "--child", str(code), "--n", str(args.n), "--warm", str(args.warm),
                          "--units", str(args.units)],
                         env=env, capture_output=True, text=True, check=False, cwd=str(code), timeout=1800)
    if out.returncode:
        sys.exit(f"child for {code} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def databases() -> list[tuple[str, str]]:
    """``(label, DATABASE_URL)`` pairs: a fresh SQLite file per child, PostgreSQL when given (local only)."""
    found = [("SQLite", "")]
    url = os.environ.get("DATABASE_URL", "")
    if re.match(r"postgres(ql)?://[^@]*@127\.0\.0\.1:\d+/", url):
        found.append(("PostgreSQL", url))
    elif url:
        sys.exit("DATABASE_URL must be a throw-away PostgreSQL server on 127.0.0.1 (scripts/with-postgres.sh)")
    return found


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round whose CPU per submission is the median one."""
    return sorted(rounds, key=lambda r: r["cpu_ms"])[len(rounds) // 2]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child), args.n, args.warm, args.units)))
        return
    trees = [("before", Path(args.base))] if args.base else []
    trees.append(("after", ROOT))
    load_start = [round(x, 2) for x in os.getloadavg()]
    results: dict[str, dict[str, Any]] = {}
    for label, url in databases():
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, _c in trees}
        for _round in range(args.rounds):
            for name, code in trees:
                with tempfile.TemporaryDirectory(prefix="sk-submit-cost-") as work:
                    db = url or f"sqlite:///{work}/bench.sqlite3"
                    rounds[name].append(run_child(code, db, args))
        results[label] = {name: median_round(r) | {"rounds_cpu_ms": [x["cpu_ms"] for x in r]}
                          for name, r in rounds.items()}
        print(label, json.dumps(results[label]), flush=True)
    load_end = [round(x, 2) for x in os.getloadavg()]
    figures = {"n": args.n, "rounds": args.rounds, "load_average_start": load_start, "load_average_end": load_end,
               "results": results}
    if args.json:
        print(json.dumps(figures, indent=2))
    if args.write_doc:
        sys.path.insert(0, str(ROOT))
        from benchmarks.docs_section import replace_section

        replace_section(ROOT / "docs" / "benchmarks.md", SECTION, render(figures, args))


def render(figures: dict[str, Any], args: argparse.Namespace) -> str:
    """The section of docs/benchmarks.md."""
    lines = [SECTION, "",
             "One member's submission — the form page (`?don-vi=CODE`) and its POST — through Django's test client "
             "in one process (no server), on a fresh database; each answer checked, initiatives counted = successful "
             "posts. CPU is the process's (`time.process_time()`, test client included, the same on both sides); "
             "the database CPU is PostgreSQL's backend for that connection (`/proc/<pid>/stat`). "
             f"{figures['n']} measured submissions per round after {args.warm} warm-up ones, "
             f"{figures['rounds']} rounds per tree run alternately, the median round shown.", "",
             "    git worktree add --detach /work/wt-postcost-base main   # the 'before' code, read-only",
             "    scripts/with-postgres.sh nice -n 5 .venv/bin/python benchmarks/submit_cost.py \\",
             f"        --base /work/wt-postcost-base --n {figures['n']} --rounds {figures['rounds']} --write-doc", "",
             "(without `scripts/with-postgres.sh`: SQLite only).", "",
             f"Load average (1, 5, 15 min) at start {figures['load_average_start']}, at end "
             f"{figures['load_average_end']} (2 cores shared with other jobs: compare within the run).", "",
             "| database | code | CPU ms / submission | form page CPU ms | POST CPU ms | queries form page | "
             "queries POST | database CPU ms / submission | CPU ms of each round |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for label, trees in figures["results"].items():
        for name, r in trees.items():
            db_cpu = "—" if r["db_cpu_ms"] is None else f"{r['db_cpu_ms']:.2f}"
            lines.append(f"| {label} | {name} | {r['cpu_ms']:.2f} | {r['cpu_ms_get']:.2f} | {r['cpu_ms_post']:.2f} | "
                         f"{r['queries_get']:g} | {r['queries_post']:g} | {db_cpu} | "
                         f"{', '.join(f'{x:.1f}' for x in r['rounds_cpu_ms'])} |")
    lines += ["", "\"before\" is main's code (a second worktree), \"after\" this branch's: the statements cut from the "
              "POST and the form page are listed in tests/perf/test_query_counts.py."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

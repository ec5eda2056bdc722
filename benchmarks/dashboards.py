"""Dashboards at national scale (issue 5): scenario load, roll-up refresh, p50/p95 per page.

    DATABASE_URL=sqlite:////tmp/sk-national.sqlite3 nice -n 10 .venv/bin/python benchmarks/dashboards.py --write-doc
    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/sangkien nice -n 10 .venv/bin/python benchmarks/dashboards.py --write-doc

Only a throw-away database: a SQLite file under /tmp or PostgreSQL on
127.0.0.1.  Steps, each measured (wall clock, ``time.perf_counter``):

1. migrate; when the programme ``1-trieu-sang-kien`` is missing, run
   ``manage.py load_scenario national-2023 --scale F`` (a subprocess) and time it;
2. ``refresh(full=True)`` — the first build of the roll-ups;
3. ``manage.py stats`` for TLĐ (by submitted and by participants): the letter's figures;
4. ``rollup_unit_table`` for the national table, Bắc Giang (24), its largest
   district, that district's largest grassroots union and the national ranking by
   participants, each without and with a date range: up to ``--requests`` calls
   each, at most ``--seconds`` per page;
5. right after each, the same page over HTTP: gunicorn on 127.0.0.1
   (``--workers``, sync) serving ``sangkien.wsgi`` with
   ``SANGKIEN_DASHBOARD_SOURCE=rollups``, one request at a time; every answer
   checked (status 200, the total shown equals the function's);
6. for comparison, today's live counting (``counting.unit_table``), a few calls;
7. the incremental refresh with nothing new, after N new submissions and after N
   reviews (inside a transaction rolled back afterwards, so the data set stays).

Prints the figures, stores them per backend in ``--results`` (JSON) and with
``--write-doc`` rewrites the section "National scale: load and dashboards
(issue 5)" of docs/benchmarks.md from every backend stored there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
os.environ.setdefault("SANGKIEN_DEBUG", "0")  # as in production: no query log in the measured process
PY = str(ROOT / ".venv" / "bin" / "python")
SECTION = "## National scale: load and dashboards (issue 5)"
RANGE = (dt.date(2022, 5, 1), dt.date(2022, 5, 31))  # the month phase 1 closed: both ends inside the data


def check_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("sqlite:////tmp/") or re.match(r"postgres(ql)?://[^@]*@127\.0\.0\.1:\d+/", url):
        return url
    sys.exit("DATABASE_URL must be a throw-away database: sqlite:////tmp/… or postgres://…@127.0.0.1:PORT/…")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(call: Any, *, requests: int, seconds: float, warm: int = 3) -> dict[str, Any]:
    """Run ``call`` ``warm`` times, then up to ``requests`` times or ``seconds``; p50/p95/max in ms."""
    for _ in range(warm):
        call()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < requests and time.perf_counter() < deadline:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"n": len(times), "p50": round(percentile(times, 0.5), 1), "p95": round(percentile(times, 0.95), 1),
            "max": round(max(times), 1)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:  # noqa: C901 - a script, step by step
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0, help="time bound per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--sizes", default="100,1000,10000", help="new submissions before a refresh")
    parser.add_argument("--reviews", type=int, default=1000, help="reviews before a refresh")
    parser.add_argument("--skip-full", action="store_true", help="reuse the roll-ups already built")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--results", default="/tmp/sangkien-dashboards.json")
    parser.add_argument("--label", help="store the results under this name (default: the backend), "
                                        "e.g. to compare two PostgreSQL configurations")
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--doc", default=str(ROOT / "docs" / "benchmarks.md"), help="the file --write-doc rewrites")
    parser.add_argument("--doc-only", action="store_true", help="rewrite the doc section from --results and stop")
    args = parser.parse_args()
    if args.doc_only:
        write_doc(json.loads(Path(args.results).read_text()), Path(args.doc))
        print(f"{args.doc}: section rewritten")
        return
    url = check_database_url()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from sangkien.core.clock import local_datetime, now
    from sangkien.initiatives.models import Authorship, Initiative, Person, SectorBlock, Status
    from sangkien.programmes.models import Programme
    from sangkien.reports.counting import unit_table
    from sangkien.reports.models import DayCount, GapCount, PersonDay
    from sangkien.reports.rollup import rollup_unit_table
    from sangkien.reports.rollup_refresh import refresh
    from sangkien.units.models import Unit, UnitKind

    vendor = connection.vendor
    result_key = args.label or vendor
    out: dict[str, Any] = {"backend": vendor, "label": result_key, "scale": args.scale, "date": dt.date.today().isoformat(),
                           "load_average_start": [round(x, 2) for x in os.getloadavg()],
                           "command": f"DATABASE_URL={url} nice -n 10 .venv/bin/python benchmarks/dashboards.py"
                                      + (f" --scale {args.scale}" if args.scale != 1 else "")
                                      + (f" --label {args.label}" if args.label else "")
                                      + (" --skip-full" if args.skip_full else "")}
    previous = json.loads(Path(args.results).read_text()) if Path(args.results).exists() else {}

    def say(text: str) -> None:
        print(text, flush=True)

    call_command("migrate", verbosity=0)
    programme = Programme.objects.filter(slug="1-trieu-sang-kien").first()
    if programme is None:
        say(f"[{vendor}] loading the scenario at scale {args.scale} …")
        started = time.perf_counter()
        done = subprocess.run([PY, "manage.py", "load_scenario", "national-2023", "--scale", str(args.scale)],
                              cwd=ROOT, check=True, capture_output=True, text=True)
        out["load_seconds"] = round(time.perf_counter() - started, 1)
        out["load_output"] = done.stdout.strip()[-600:]
        programme = Programme.objects.get(slug="1-trieu-sang-kien")
    else:
        out["reused"] = True
        earlier = next((r for r in previous.values() if r.get("backend") == vendor and r.get("load_seconds")), {})
        out["load_seconds"] = earlier.get("load_seconds")
        out["load_output"] = earlier.get("load_output", "(data set reused; loaded by an earlier run)")
    say(f"[{vendor}] load: {out['load_seconds']} s")
    out["initiatives"] = Initiative.objects.filter(programme=programme).count()
    out["persons"] = Person.objects.count()
    out["units"] = Unit.objects.count()

    if not args.skip_full or not DayCount.objects.exists():
        started = time.perf_counter()
        report = refresh(full=True)
        out["full_refresh_seconds"] = round(time.perf_counter() - started, 1)
        out["full_refresh_rows"] = sum(p.rows for p in report.programmes.values())
    else:
        earlier = next((r for r in previous.values() if r.get("backend") == vendor and r.get("full_refresh_seconds")),
                       {})
        out["full_refresh_seconds"] = earlier.get("full_refresh_seconds")
        out["full_refresh_rows"] = earlier.get("full_refresh_rows")
    out["rollup_rows"] = {"DayCount": DayCount.objects.count(), "GapCount": GapCount.objects.count(),
                          "PersonDay": PersonDay.objects.count()}
    say(f"[{vendor}] full refresh: {out['full_refresh_seconds']} s, rows {out['rollup_rows']}")
    if vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        out["database_mb"] = round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            out["database_mb"] = round(cursor.fetchone()[0] / 2**20)
            out["pg_settings"] = {}
            for name in ("server_version", "shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size",
                         "fsync", "synchronous_commit", "full_page_writes", "max_parallel_workers_per_gather"):
                cursor.execute(f"SHOW {name}")
                out["pg_settings"][name] = cursor.fetchone()[0]

    # 3. the letter's figures
    figures = {}
    for rank_by in ("submitted", "participants"):
        from io import StringIO

        buffer = StringIO()
        call_command("stats", "--programme", programme.slug, "--unit", "TLD", "--format", "json",
                     "--rank-by", rank_by, stdout=buffer)
        doc = json.loads(buffer.getvalue())
        bac_giang = next(r for r in doc["rows"] if r["code"] == "24")
        figures[rank_by] = {"submitted": doc["unit"]["submitted"], "participants": doc["unit"]["participants"],
                            "pct_of_target": doc["unit"]["pct_of_target"], "bac_giang": {
                                k: bac_giang[k] for k in ("participants", "submitted", "rank")}}
    out["stats"] = figures
    say(f"[{vendor}] stats: {json.dumps(figures, ensure_ascii=False)}")

    # 4. the pages, as function calls
    national = Unit.objects.get(code="TLD")
    province = Unit.objects.get(code="24")
    table = rollup_unit_table(programme=programme, unit=province)
    district = Unit.objects.get(code=next(r.code for r in table.rows
                                          if r.code and r.kind == UnitKind.DISTRICT_FEDERATION))
    grassroots = Unit.objects.get(code=rollup_unit_table(programme=programme, unit=district).rows[0].code)
    pages = [("national", national, {}), ("province 24", province, {}), (f"district {district.code}", district, {}),
             (f"grassroots {grassroots.code}", grassroots, {}),
             ("national, ranked by participants", national, {"rank_by": "participants"})]
    cases = [(f"{name}{', ' if span else ''}{'01/05–31/05/2022' if span else ''}", unit, extra, span)
             for name, unit, extra in pages for span in (False, True)]
    # 4 and 5, page by page: the function, then the same page over HTTP (same moment, same load)
    out["function"] = {}
    server, port = None, free_port()
    if not args.no_http:
        out["http"] = {}
        env = {**os.environ, "SANGKIEN_DASHBOARD_SOURCE": "rollups", "SANGKIEN_DEBUG": "0",
               "SANGKIEN_ALLOWED_HOSTS": "127.0.0.1", "SANGKIEN_LOG_LEVEL": "ERROR"}
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--timeout", "120", "sangkien.wsgi:application"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        out["gunicorn"] = f"{args.workers} sync workers"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
    try:
        for label, unit, extra, span in cases:
            kwargs = {"programme": programme, "unit": unit, **extra}
            if span:
                kwargs.update(date_from=RANGE[0], date_to=RANGE[1])
            out["function"][label] = measure(lambda kw=kwargs: rollup_unit_table(**kw), requests=args.requests,
                                             seconds=args.seconds)
            say(f"[{vendor}] rollup_unit_table {label}: {out['function'][label]}")
            if server is None:
                continue
            query: dict[str, str] = {}
            if "rank_by" in extra:
                query["xep_hang_theo"] = extra["rank_by"]
            if span:
                query.update(tu_ngay=RANGE[0].strftime("%d/%m/%Y"), den_ngay=RANGE[1].strftime("%d/%m/%Y"))
            path = f"/thong-ke/{programme.slug}/{unit.code}/" + (f"?{urlencode(query)}" if query else "")
            total = rollup_unit_table(**kwargs).total.submitted
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

            def get(path: str = path, conn: http.client.HTTPConnection = conn, total: int = total) -> None:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read().decode()
                shown = re.search(r'data-testid="total-submitted">([^<]*)<', body)
                if response.status != 200 or not shown or int(re.sub(r"\D", "", shown.group(1)) or 0) != total:
                    raise RuntimeError(f"{path}: {response.status}, {shown and shown.group(1)} != {total}")

            out["http"][label] = measure(get, requests=args.requests, seconds=args.seconds)
            conn.close()
            say(f"[{vendor}] HTTP {label}: {out['http'][label]}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    # 6. today's live counting, for comparison
    out["live"] = {}
    for label, unit in (("national", national), ("province 24", province), (f"district {district.code}", district)):
        out["live"][label] = measure(lambda u=unit: unit_table(programme=programme, unit=u), requests=5,
                                     seconds=args.seconds, warm=1)
        say(f"[{vendor}] live unit_table {label}: {out['live'][label]}")

    # 7. incremental refreshes
    class Rollback(Exception):
        pass

    out["refresh"] = {}
    refresh()  # catch up with anything left
    started = time.perf_counter()
    refresh()
    out["refresh"]["nothing new"] = round(time.perf_counter() - started, 2)
    rng = random.Random(7)
    unit_ids = list(Unit.objects.filter(kind=UnitKind.GRASSROOTS).values_list("pk", flat=True))
    max_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    phase = programme.phases.get(number=2)
    for size in [int(s) for s in args.sizes.split(",") if s]:
        try:
            with transaction.atomic():
                made = Initiative.objects.bulk_create([Initiative(
                    programme=programme, phase=phase, unit_id=rng.choice(unit_ids), sector_block=SectorBlock.PUBLIC,
                    title=f"Sáng kiến thử tải {i}", description="<p>Thử tải.</p>", benefit_vnd=1_000_000,
                    submitted_at=local_datetime(2023, 7, 26, 16, rng.randrange(60)),
                    tracking_code=f"BENCH{size:05d}{i:06d}") for i in range(size)], batch_size=500)
                Authorship.objects.bulk_create([Authorship(initiative=i, person_id=rng.randint(1, max_person))
                                                for i in made], batch_size=500)
                started = time.perf_counter()
                report = refresh(margin=dt.timedelta(0))
                out["refresh"][f"{size} new submissions"] = round(time.perf_counter() - started, 2)
                say(f"[{vendor}] refresh after {size} submissions: {out['refresh'][f'{size} new submissions']} s "
                    f"({report.as_dict()['programmes']})")
                raise Rollback
        except Rollback:
            pass
    if args.reviews:
        try:
            with transaction.atomic():
                ids = rng.sample(list(Initiative.objects.filter(programme=programme, status=Status.SUBMITTED)
                                      .values_list("pk", flat=True)[:50_000]), args.reviews)
                Initiative.objects.filter(pk__in=ids).update(status=Status.APPROVED, updated_at=now())
                started = time.perf_counter()
                refresh(margin=dt.timedelta(0))
                out["refresh"][f"{args.reviews} reviews"] = round(time.perf_counter() - started, 2)
                say(f"[{vendor}] refresh after {args.reviews} reviews: {out['refresh'][f'{args.reviews} reviews']} s")
                raise Rollback
        except Rollback:
            pass

    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    previous[result_key] = out
    Path(args.results).write_text(json.dumps(previous, ensure_ascii=False, indent=2))
    say(f"results in {args.results}")
    if args.write_doc:
        write_doc(previous, Path(args.doc))
        say(f"{args.doc}: section rewritten")


def _cell(value: dict[str, Any] | None) -> str:
    return "—" if not value else f"{value['p50']} / {value['p95']} ({value['n']})"


def write_doc(results: dict[str, dict[str, Any]], path: Path) -> None:
    """Rewrite our section of ``path`` (docs/benchmarks.md) from ``results``; other sections untouched.
    The file is read right before it is written."""
    backends = sorted(results, key=lambda b: (results[b]["backend"] != "sqlite", b))
    names = {b: ("SQLite" if r["backend"] == "sqlite" else f"PostgreSQL {r['pg_settings']['server_version'].split()[0]}")
             + ("" if b == r["backend"] else f" ({b})") for b, r in results.items()}
    head = " | ".join(names[b] for b in backends)
    rule = "|---" * (len(backends) + 1) + "|"
    lines = [SECTION, "",
             "What is measured: `manage.py load_scenario national-2023` (the state of 26/7/2023: 1,892,577 "
             "initiatives, 350,405 participants, 130,000 grassroots unions), the first build of the dashboards' "
             "roll-ups, and the dashboard pages computed from them (`sangkien/reports/rollup.py`: one grouped sum "
             "over the day rows of the unit and its children, one over the participants' gaps when the range has "
             "two ends). Date range: 01/05/2022–31/05/2022, the month phase 1 closed (both ends inside the data, "
             "so the gap query runs). \"Refresh after N new submissions\": N initiatives (one author each, on "
             "random grassroots unions) inserted in one transaction, then the incremental refresh timed, then "
             "rolled back; \"N reviews\": N waiting initiatives approved the same way. Percentiles are "
             "nearest-rank over the calls made (up to 200, at most 60 s per page, after 3 warm-up calls). "
             "SQLite: a file under /tmp with the app's settings (WAL, "
             "`synchronous=NORMAL`). PostgreSQL: a throw-away cluster on 127.0.0.1 started for the run "
             "(`initdb --auth=trust`), stopped afterwards; its settings are listed per column below.", ""]
    for b in backends:
        r = results[b]
        settings = (" Server settings: " + ", ".join(f"`{k}={v}`" for k, v in r["pg_settings"].items()) + "."
                    if "pg_settings" in r else "")
        lines.append(f"{names[b]}: measured {r['date']} on this 2-core, 24 GB machine with `nice -n 10`, "
                     f"while other engineers' benchmarks and tests ran (load average "
                     f"{r['load_average_start'][0]} at the start, {r['load_average_end'][0]} at the end). "
                     f"Command: `{r['command']}`.{settings}"
                     + (" The data set was reused: its load and first full refresh are the figures of the "
                        "first run of the script on that database." if r.get("reused") else ""))
        lines.append("")
    lines += [f"| | {head} |", rule]
    rows = [
        ("`load_scenario national-2023` (s)", lambda r: r.get("load_seconds")),
        ("initiatives / participants / units", lambda r: f"{r['initiatives']:,} / {r['persons']:,} / {r['units']:,}"),
        ("database size (MB)", lambda r: r.get("database_mb")),
        ("first `refresh_rollups` (full, s)", lambda r: r.get("full_refresh_seconds")),
        ("roll-up rows (day / gap / person-day)",
         lambda r: " / ".join(f"{v:,}" for v in r["rollup_rows"].values())),
        ("`stats` TLĐ: submitted, participants, %",
         lambda r: f"{r['stats']['submitted']['submitted']:,}, {r['stats']['submitted']['participants']:,}, "
                   f"{r['stats']['submitted']['pct_of_target']}"),
        ("Bắc Giang: participants, submitted, rank by submitted / by participants",
         lambda r: f"{r['stats']['submitted']['bac_giang']['participants']:,}, "
                   f"{r['stats']['submitted']['bac_giang']['submitted']:,}, "
                   f"{r['stats']['submitted']['bac_giang']['rank']} / {r['stats']['participants']['bac_giang']['rank']}"),
        ("refresh, nothing new (s)", lambda r: r["refresh"].get("nothing new")),
    ]
    keys = sorted({k for b in backends for k in results[b]["refresh"] if k != "nothing new"},
                  key=lambda k: (k.split()[1], int(k.split()[0])))
    rows += [(f"refresh after {k} (s)", lambda r, k=k: r["refresh"].get(k)) for k in keys]
    for label, get in rows:
        lines.append(f"| {label} | " + " | ".join(str(get(results[b])) for b in backends) + " |")
    for title, key, note in (
            ("`rollup_unit_table` (the dashboard computation)", "function", "calls"),
            ("Full web stack: gunicorn (2 sync workers) on 127.0.0.1 serving the dashboard pages with "
             "`SANGKIEN_DASHBOARD_SOURCE=rollups`, one request at a time, each answer checked", "http", "requests"),
            ("Live counting, `counting.unit_table` (`SANGKIEN_DASHBOARD_SOURCE=live`, the default), "
             "for comparison", "live", "calls")):
        labels = list(dict.fromkeys(label for b in backends for label in results[b].get(key, {})))
        if not labels:
            continue
        lines += ["", f"{title}: p50 / p95 ms ({note}); target p95 ≤ 100 ms." if key != "live"
                  else f"{title}: p50 / p95 ms ({note}).", "", f"| page | {head} |", rule]
        for label in labels:
            lines.append(f"| {label} | " + " | ".join(_cell(results[b].get(key, {}).get(label)) for b in backends)
                         + " |")
    for b in backends:
        function, http_ = results[b].get("function", {}), results[b].get("http", {})
        extra = [http_[k]["p50"] - function[k]["p50"] for k in http_ if k in function]
        if extra:
            lines += ["", f"{names[b]}: the web stack adds {min(extra):.0f}–{max(extra):.0f} ms (p50) to the "
                      "computation — middleware, session, the filter form and the template, which renders one "
                      "row per child unit (the largest tables here: 63 provinces, a district's grassroots unions)."]
    missed = [(names[b], key, label, v["p95"]) for b in backends for key in ("function", "http")
              for label, v in results[b].get(key, {}).items() if v["p95"] > 100]
    lines += ["", "Targets missed (p95 > 100 ms): " + ("none." if not missed else "; ".join(
        f"{n} {k} {label}: {p95} ms" for n, k, label, p95 in missed) + ".")]
    lines.append("")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = "\n".join(lines)
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + block
    else:
        following = re.search(r"^## ", text[start + len(SECTION):], flags=re.MULTILINE)
        end = start + len(SECTION) + following.start() if following else len(text)
        text = text[:start] + block + ("\n" + text[end:] if following else "")
    path.write_text(text)


if __name__ == "__main__":
    main()

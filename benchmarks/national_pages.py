"""Officers' pages and a member's submission on the national corpus, in process (issue 12, rounds 9, 14).

    .venv/bin/python benchmarks/national_pages.py --write-doc
    scripts/with-postgres.sh .venv/bin/python benchmarks/national_pages.py --write-doc

The surge benchmark's officers and members work on a programme of a few thousand initiatives;
at the deadline the programme already holds the national corpus.  On a fresh database
(``unit_chooser``'s set-up: a throw-away SQLite file, or with ``DATABASE_URL`` a throw-away
PostgreSQL server on 127.0.0.1) the script loads ``national-2023`` at ``--scale`` (1 = 1,892,577
initiatives, 131,075 units), builds the dashboards' roll-ups (production's
``SANGKIEN_DASHBOARD_SOURCE=rollups``), opens a third phase of the programme today and gives a
reviewer role at each level of one lineage (national, province 24, district 213, a grassroots
union of 213).  Through Django's test client, ``--n`` times each:

- each reviewer's **review queue**, officer **home** and **dashboard** (from the roll-ups, and — but
  the national one — with live counting, ``--n`` / 5 times, the default source);
- ``--members`` members' **submissions** (form page, then POST) to grassroots unions of 213;

each as the code is (*after*) and as round 13 had it (*before*, patched in: a role at the only root
filtered through the units like any other, and the officer home's figures as filtered counts over
the scope's rows), the two taking turns.  (Round 9 compared round 8's queue and subtree filters the
same way; its tables are in docs/benchmarks.md's history.)

Wall-clock milliseconds (``time.perf_counter``), median and p95; the statements of the last
request.  ``--write-doc`` writes the ``## Officers' pages on the national corpus (issue 12)``
section of docs/benchmarks.md for the database measured, keeping the other one's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Officers' pages on the national corpus (issue 12)"
RESULTS = ROOT / "var" / "national_pages.json"
LINEAGE = ("TLD", "24", "213")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.25, help="national-2023's scale (1: 1,892,577 initiatives)")
    parser.add_argument("--n", type=int, default=10, help="requests per page and side")
    parser.add_argument("--members", type=int, default=100, help="members who submit (the first 10 not timed)")
    parser.add_argument("--write-doc", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    return parser.parse_args(argv)


def _world(scale: float) -> dict[str, Any]:
    """The national corpus, its roll-ups, an open phase, the reviewers' units; what the pages need."""
    from django.core.cache import cache
    from django.db import connection

    from sangkien.core.clock import now
    from sangkien.demo.scenarios import national_2023
    from sangkien.programmes.models import Phase, Programme
    from sangkien.reports.rollup_refresh import refresh
    from sangkien.units.models import Unit, UnitKind

    started = time.monotonic()
    loaded = national_2023.load(scale=scale)
    refresh(full=True)
    with connection.cursor() as cursor:  # as autovacuum leaves a loaded table: visibility map set
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    programme = Programme.objects.get(slug=national_2023.SLUG)
    current = now()
    Phase.objects.create(programme=programme, number=3, name="Giai đoạn 3",
                         submission_start=current - dt.timedelta(days=1), submission_end=current + dt.timedelta(days=60),
                         effect_start=current.date() - dt.timedelta(days=365),
                         effect_end=current.date() + dt.timedelta(days=30))
    cache.clear()  # the programme's phases are kept: the new one must be seen
    district = Unit.objects.get(code=LINEAGE[-1])
    unions = list(Unit.objects.subtree_of(district).filter(kind=UnitKind.GRASSROOTS).order_by("path")[:5])
    return {"programme": programme, "unions": unions, "lineage": [*LINEAGE, unions[0].code],
            "initiatives": loaded.get("initiatives"), "units": Unit.objects.count(),
            "load_seconds": round(time.monotonic() - started, 1)}


@contextmanager
def _round_13() -> Iterator[None]:
    """Round 13's scope and officer home, patched in: a role at the only root filtered through the
    units like any other (``roles.scope.is_whole_tree`` answering no), and the home's figures as filtered counts over the scope's rows (one query)."""
    from django.db.models import Count, Q

    from sangkien.initiatives.access import restrict_initiatives
    from sangkien.initiatives.models import InitiativeQuerySet, Status
    from sangkien.review import views
    from sangkien.roles import scope

    def programme_lines(user: Any, programmes: list[Any]) -> list[dict[str, Any]]:
        counted = InitiativeQuerySet.counted_filter()
        found = {row["programme_id"]: row for row in (
            restrict_initiatives(user, "list").filter(programme__in=programmes)
            .values("programme_id")
            .annotate(submitted=Count("pk", filter=counted),
                      approved=Count("pk", filter=counted & Q(status=Status.APPROVED)),
                      waiting=Count("pk", filter=Q(status=Status.SUBMITTED))))}
        empty = {"submitted": 0, "approved": 0, "waiting": 0}
        return [{"programme": p, **{k: found.get(p.pk, empty)[k] for k in empty}} for p in programmes]

    saved = scope.is_whole_tree, views.is_whole_tree, views._programme_lines
    scope.is_whole_tree = views.is_whole_tree = lambda user, path: False  # type: ignore[assignment]
    views._programme_lines = programme_lines  # type: ignore[assignment]
    try:
        yield
    finally:
        scope.is_whole_tree, views.is_whole_tree, views._programme_lines = saved  # type: ignore[assignment]


def _side(before: bool) -> AbstractContextManager[None]:
    return _round_13() if before else nullcontext()


def _get(client: Any, url: str) -> int:
    """GET ``url`` (200 or the script stops); the number of statements it sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(url)
    if answer.status_code != 200:
        sys.exit(f"{url}: {answer.status_code}")
    return len(ctx.captured_queries)


def _pages(world: dict[str, Any], n: int) -> dict[str, Any]:
    """Each reviewer's queue, home and dashboard, before and after taking turns."""
    from django.test import Client
    from django.test.utils import override_settings

    from benchmarks.unit_chooser import _summary
    from sangkien.accounts.models import User
    from sangkien.roles.models import Role, RoleAssignment
    from sangkien.units.models import Unit

    slug, rows = world["programme"].slug, {}
    for code in world["lineage"]:
        officer = User.objects.create(username=f"officer-{code}", full_name="Cán bộ", email=f"o-{code}@bench.vn")
        RoleAssignment.objects.create(user=officer, unit=Unit.objects.get(code=code), role=Role.REVIEWER)
        client = Client()
        client.force_login(officer)
        dashboard = f"/thong-ke/{slug}/{code}/"
        pages = [("review queue", f"/can-bo/xet-duyet/{slug}/?don-vi={code}", "rollups", n),
                 ("officer home", "/can-bo/", "rollups", n), ("dashboard", dashboard, "rollups", n)]
        if code != world["lineage"][0]:  # live counting of the nation: tens of seconds (issue 5's figures)
            pages.append(("dashboard, live counting", dashboard, "live", max(1, n // 5)))
        for page, url, source, times in pages:
            with override_settings(SANGKIEN_DASHBOARD_SOURCE=source):
                _get(client, url)  # warm
                samples: dict[str, list[float]] = {"before": [], "after": []}
                queries = {}
                for _i in range(times):
                    for side in samples:
                        with _side(side == "before"):
                            started = time.perf_counter()
                            queries[side] = _get(client, url)
                            samples[side].append((time.perf_counter() - started) * 1000)
            rows[f"{code} {page}"] = {side: {**_summary(values), "queries": queries[side]}
                                      for side, values in samples.items()}
    return rows


def _submissions(world: dict[str, Any], members: int) -> dict[str, Any]:
    """``members`` members' form page and POST to grassroots unions of 213, before and after in turn (the
    first 10 not timed)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks.unit_chooser import _summary
    from sangkien.accounts.models import User
    from sangkien.initiatives.models import Initiative

    url = reverse("initiatives:submit", args=[world["programme"].slug])
    before = Initiative.objects.count()
    form: dict[str, list[float]] = {"before": [], "after": []}
    post: dict[str, list[float]] = {"before": [], "after": []}
    statements = {}
    for index in range(members):
        side = ("before", "after")[index % 2]
        member = User.objects.create(username=f"member-{index}", full_name=f"Nguyễn Văn {index}",
                                     email=f"m{index}@bench.vn")
        client = Client()
        client.force_login(member)
        unit = world["unions"][index % len(world["unions"])]
        with _side(side == "before"):
            started = time.perf_counter()
            page = client.get(url)
            spent_form = (time.perf_counter() - started) * 1000
            token = re.search(rb'name="submission_token" value="([0-9a-f]+)"', page.content)
            if page.status_code != 200 or token is None:
                sys.exit(f"form page: {page.status_code}")
            data = {"author_full_name": member.full_name, "author_phone": "", "author_email": member.email,
                    "unit_1": LINEAGE[1], "unit_2": LINEAGE[2], "unit_3": unit.code, "sector_block": "enterprise",
                    "title": f"Sáng kiến tiết kiệm nước số {index} {uuid.uuid4().hex[:6]}",
                    "description": f"<p>Tuần hoàn nước nhuộm qua bể lắng số {index}. Giảm 30 % lượng nước.</p>",
                    "benefit_vnd": "1,5 triệu", "submission_token": token.group(1).decode()}
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                answer = client.post(url, data)
                spent_post = (time.perf_counter() - started) * 1000
        if answer.status_code != 302:
            sys.exit(f"submission: {answer.status_code}")
        statements[side] = len(ctx.captured_queries)
        if index >= 10:
            form[side].append(spent_form)
            post[side].append(spent_post)
    added = Initiative.objects.count() - before
    if added != members:
        sys.exit(f"{members} submissions answered, {added} initiatives added")
    return {"submission form page": {side: _summary(values) for side, values in form.items()},
            "submission POST": {side: {**_summary(values), "queries": statements[side]}
                                for side, values in post.items()}}


def measure(scale: float, n: int, members: int) -> dict[str, Any]:
    """The figures (see the module docstring) as a dict."""
    from django.db import connection

    world = _world(scale)
    rows = _pages(world, n) | _submissions(world, members)
    return {"vendor": connection.vendor, "scale": scale, "n": n, "members": members, "figures": rows,
            "initiatives": world["initiatives"], "units": world["units"], "load_seconds": world["load_seconds"],
            "lineage": world["lineage"]}


def render(stored: dict[str, Any]) -> str:
    """The section of docs/benchmarks.md, one table per database stored."""
    lines = [SECTION, "",
             "The surge benchmark's officers and members work on a small programme; at the deadline the programme "
             "already holds the national corpus. `national-2023` loaded (at the scale given below), the dashboards' "
             "roll-ups built (`SANGKIEN_DASHBOARD_SOURCE=rollups`, as in production), a third phase opened today; "
             "a reviewer at each level of one lineage loads the review queue, the officer home and the dashboard "
             "(and, but at the national level, the dashboard with live counting, the default source, a fifth as "
             "often), "
             "and members submit (form page, then POST) to grassroots unions of district 213. In process, "
             "through Django's test client; wall clock (`time.perf_counter`). **Before**: round 13's code, patched "
             "in — a role at the only root filtered through the units like any other (every initiative of the "
             "programme joined to its unit to test a path every unit has), and the officer home's figures as "
             "filtered counts over the rows of the scope; **after** (round 14): a role at the only root, or a "
             "queue filtered on it, is no filter (`units.models.is_only_root`), and the home counts every "
             "initiative by status from the `(programme, status)` index less the uncounted ones from their "
             "partial index. The two take turns (the submissions: one member each). Round 9's comparison "
             "(round 8's queue and subtree filters against the range of the path's index on SQLite: e.g. a "
             "grassroots reviewer's home 525 → 5.6 ms, a district's queue 676 → 23 ms) is in this file's "
             "history.",
             "",
             "    .venv/bin/python benchmarks/national_pages.py --write-doc",
             "    scripts/with-postgres.sh .venv/bin/python benchmarks/national_pages.py --write-doc", ""]
    for vendor, figures in sorted(stored.items()):
        lines += [f"**{vendor}**, measured {figures['measured']}: scale {figures['scale']}, "
                  f"{figures['initiatives']:,} initiatives, {figures['units']:,} units (loaded with the roll-ups in "
                  f"{figures['load_seconds']} s); {figures['n']} requests a page and side, {figures['members']} "
                  f"submissions; load average 1/5/15 min at start {figures['load_average_start']}, at end "
                  f"{figures['load_average_end']}. Lineage: {' › '.join(figures['lineage'])}.", "",
                  "| page | before median ms | before p95 | queries | after median ms | after p95 | queries |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for label, row in figures["figures"].items():
            cells = [f"{row[side]['median_ms']} | {row[side]['p95_ms']} | {row[side].get('queries', '')}"
                     for side in ("before", "after")]
            lines.append(f"| {label} | {' | '.join(cells)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.docs_section import measure_and_record
    from benchmarks.unit_chooser import _setup, _teardown

    measure_and_record(lambda: measure(args.scale, args.n, args.members), setup=_setup, teardown=_teardown,
                       results=RESULTS, heading=SECTION, render=render, json_path=args.json,
                       write_doc=args.write_doc)


if __name__ == "__main__":
    main()

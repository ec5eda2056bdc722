"""The unit chooser at the national size: each level's listing, before and after (issue 12, round 8).

    .venv/bin/python benchmarks/unit_chooser.py --write-doc
    scripts/with-postgres.sh .venv/bin/python benchmarks/unit_chooser.py --write-doc

A member without a QR link picks province, upper-level union and grassroots union; each pick
asks ``initiatives:unit_levels`` (htmx) for the next ``<select>``, whose options are the
children of the unit picked (``units.chooser.children_options``).  On a fresh database (a
throw-away SQLite file under /tmp; with ``DATABASE_URL`` a throw-away PostgreSQL server on
127.0.0.1, where a ``test_…`` database is created and dropped) the script loads the national
tree (``load_national_units``: TLĐ, 63 provinces, their districts and unions), spreads
``--grassroots`` grassroots unions over the districts (default 130,000, the federation's size),
runs ``ANALYZE``, and then times, for the national root, the largest province and the largest
district, alternately ``--n`` times each:

- **before**: the listing's statement as it was, children found by ``path LIKE 'p%'`` and
  ``depth`` (written out below, the same columns and order);
- **after**: ``children_options`` as it is, treebeard's children interval on the path's index.

Both answers are compared (they must be equal).  Also timed: ``build_levels`` for a whole
chain and the ``unit_levels`` request through Django's test client (the code as it is).
Wall-clock milliseconds (``time.perf_counter``), median and p95; the load average with them.
``--write-doc`` writes the ``## Unit chooser at the national size (issue 12)`` section of
docs/benchmarks.md for the database measured, keeping the other database's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Unit chooser at the national size (issue 12)"
RESULTS = ROOT / "var" / "unit_chooser.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="timed calls per listing and side")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side, the sides taking turns")
    parser.add_argument("--grassroots", type=int, default=130_000, help="grassroots unions spread over the districts")
    parser.add_argument("--write-doc", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    return parser.parse_args(argv)


#: The throw-away folder of the SQLite file made by :func:`_setup`, removed by :func:`_teardown`.
_MADE: list[str] = []


def _setup() -> str:
    """Django on a fresh throw-away database (``submit_cost``'s set-up; dropped by ``_teardown``:
    the PostgreSQL test database, or the SQLite file's folder); its vendor."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import submit_cost

    url = os.environ.get("DATABASE_URL", "")
    if url and not re.match(r"postgres(ql)?://[^@]*@127\.0\.0\.1:\d+/", url):
        sys.exit("DATABASE_URL must be a throw-away PostgreSQL server on 127.0.0.1 (scripts/with-postgres.sh)")
    if not url:
        _MADE.append(tempfile.mkdtemp(prefix="sk-chooser-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{_MADE[-1]}/chooser.sqlite3"
    submit_cost._setup(ROOT)
    from django.db import connection

    return connection.vendor


def _teardown() -> None:
    """Drop what :func:`_setup` made: a national corpus is 0.9 GB at scale 0.25, 3 GB at scale 1."""
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    connection.close()
    while _MADE:
        shutil.rmtree(_MADE.pop(), ignore_errors=True)


def _tree(grassroots: int) -> None:
    """The national tree with ``grassroots`` more grassroots unions spread over the districts, analysed."""
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.submit_cost import more_grassroots
    from sangkien.units.models import Unit, UnitKind

    with open(os.devnull, "w") as quiet:
        call_command("load_national_units", stdout=quiet)
    districts = list(Unit.objects.filter(kind=UnitKind.DISTRICT_FEDERATION).order_by("code"))
    for index, district in enumerate(districts):
        more_grassroots(district, grassroots // len(districts) + (index < grassroots % len(districts)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


INDEX = "units_unit_depth_path"  # round 8's index on (depth, path): units/migrations/0004_children_index.py


def _old_children(manager: Any, node: Any) -> Any:
    """A unit's children as the chooser asked for them before round 8: ``path LIKE 'p%'`` and ``depth``."""
    return manager.get_queryset().filter(path__startswith=node.path, depth=node.depth + 1)


@contextmanager
def subtree_filters_as_like() -> Iterator[None]:
    """``path__startswith`` sent as ``LIKE`` on SQLite too, as before round 9 (``units.models.PathStartsWith``
    taken off the path field for the block)."""
    from sangkien.units.models import PathStartsWith, Unit

    path = Unit._meta.get_field("path")
    path._unregister_instance_lookup(PathStartsWith)
    try:
        yield
    finally:
        path.register_lookup(PathStartsWith)


@contextmanager
def _side(before: bool) -> Iterator[None]:
    """The database and code of one side: before round 8, without its index and with the old children
    statement (``UnitManager.get_children`` patched, which the chooser calls; its ``path LIKE`` as it
    was, :func:`subtree_filters_as_like`); after, as they are."""
    from django.db import connection

    from sangkien.units.models import UnitManager

    with connection.cursor() as cursor:
        if before:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        else:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON units_unit (depth, path)")
        cursor.execute("ANALYZE")
    original = UnitManager.get_children
    if not before:
        yield
        return
    UnitManager.get_children = _old_children  # type: ignore[method-assign]
    try:
        with subtree_filters_as_like():
            yield
    finally:
        UnitManager.get_children = original  # type: ignore[method-assign]


def _timed(calls: dict[str, Callable[[], Any]], n: int) -> dict[str, list[float]]:
    """Each call ``n`` times, the calls taking turns; the milliseconds of each call."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _i in range(n):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3)}


def measure(n: int, grassroots: int, rounds: int) -> dict[str, Any]:
    """Build the data and time both sides ``rounds`` times each, taking turns (see the module docstring)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from sangkien.units.chooser import build_levels, children_options
    from sangkien.units.models import Unit, UnitKind

    started = time.perf_counter()
    _tree(grassroots)
    built_s = time.perf_counter() - started
    root = Unit.objects.get_first_root_node()
    assert root is not None

    def largest(kind: str) -> Any:
        return Unit.objects.filter(kind=kind).order_by("-numchild", "code").first()

    province, district = largest(UnitKind.PROVINCIAL_FEDERATION), largest(UnitKind.DISTRICT_FEDERATION)
    grassroots_unit = Unit.objects.get_children(district).first()
    parents = {"national root → provinces": root, "largest province → upper-level unions": province,
               "largest upper-level union → grassroots": district}
    chain = [province.code, district.code, grassroots_unit.code]
    client, url = Client(), reverse("initiatives:unit_levels")
    query = {"unit_1": province.code, "unit_2": district.code, "changed": "2"}  # the member picked level 2
    calls = {**{label: (lambda p=parent: children_options(p)) for label, parent in parents.items()},
             "build_levels": lambda: build_levels(root, chain),
             "unit_levels request": lambda: client.get(url, query)}
    samples: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    answers: dict[str, Any] = {}
    statements: dict[str, list[str]] = {}  # the district's listing, as each side sends it
    for _round in range(rounds):
        for side in ("before", "after"):
            with _side(before=side == "before"):
                with CaptureQueriesContext(connection) as sent:
                    listing = children_options(district)
                statements[side] = [q["sql"] for q in sent.captured_queries]
                answers[side] = (listing, [children_options(p) for p in parents.values()],
                                 [(lv.number, lv.selected, lv.options) for lv in build_levels(root, chain)],
                                 client.get(url, query).content)
                for name, times in _timed(calls, n).items():
                    samples[side].setdefault(name, []).extend(times)
    assert answers["before"] == answers["after"], "the two sides answer differently"
    figures = {name: {side: _summary(samples[side][name]) for side in samples} for name in calls}
    for label, parent in parents.items():
        figures[label]["children"] = parent.numchild
    print(json.dumps(figures), flush=True)
    return {"units": Unit.objects.count(), "tree_built_s": round(built_s, 1), "rounds": rounds, "n": n,
            "figures": figures, "chain": chain, "statements": statements}


def render(stored: dict[str, Any]) -> str:
    """The section of docs/benchmarks.md, one table per database stored."""
    lines = [SECTION, "",
             "A member without a QR link picks province, upper-level union and grassroots union; each pick asks "
             "for the next lists (`initiatives:unit_levels`, htmx: `build_levels` lists every level from the "
             "provinces down). The national tree (`load_national_units`) with 130,000 grassroots unions spread over "
             "the districts, on a fresh database. **Before**: round 7's code and schema, a unit's children found "
             "by `path LIKE 'p%' AND depth = d + 1` (on SQLite no index serves that `LIKE`) and no index on "
             "`depth`; **after**: `Unit.objects.get_children` (treebeard's interval, `depth = d + 1 AND path "
             "BETWEEN p0000 AND pZZZZ`) on the new index `(depth, path)`. The two sides take turns in one "
             "process on the same data (the index dropped or created, then `ANALYZE`); their answers are "
             "compared, equal. Wall clock (`time.perf_counter`), in process; the request through Django's test "
             "client.", "",
             "    .venv/bin/python benchmarks/unit_chooser.py --write-doc",
             "    scripts/with-postgres.sh .venv/bin/python benchmarks/unit_chooser.py --write-doc", ""]
    for vendor, figures in sorted(stored.items()):
        lines += [f"**{vendor}**, measured {figures['measured']}: {figures['units']:,} units, {figures['rounds']} "
                  f"rounds × {figures['n']} calls per side; load average 1/5/15 min at start "
                  f"{figures['load_average_start']}, at end {figures['load_average_end']}. Chain: "
                  f"{' › '.join(figures['chain'])}.", "",
                  "| call | children | before median ms | before p95 | after median ms | after p95 |",
                  "|---|---:|---:|---:|---:|---:|"]
        for label, row in figures["figures"].items():
            children = f"{row['children']:,}" if "children" in row else ""
            lines.append(f"| {label} | {children} | {row['before']['median_ms']} | {row['before']['p95_ms']} "
                         f"| {row['after']['median_ms']} | {row['after']['p95_ms']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.docs_section import measure_and_record

    measure_and_record(lambda: measure(args.n, args.grassroots, args.rounds), setup=_setup, teardown=_teardown,
                       results=RESULTS, heading=SECTION, render=render, json_path=args.json,
                       write_doc=args.write_doc)


if __name__ == "__main__":
    main()

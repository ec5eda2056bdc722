"""The plausibility check of a web submission at a large union, before and after (issue 12, round 9).

    .venv/bin/python benchmarks/plausibility_cost.py --write-doc
    scripts/with-postgres.sh .venv/bin/python benchmarks/plausibility_cost.py --write-doc

Every web submission asks, inside its transaction, how many initiatives its main author sent
today, which of its authors the union already counts and — for the members bound — how many
participants the union counts (``initiatives.plausibility._submission_figures``).  On a fresh
database (``unit_chooser``'s set-up: a throw-away SQLite file, or with ``DATABASE_URL`` a
throw-away PostgreSQL server on 127.0.0.1) the script loads the national tree with ``--grassroots``
grassroots unions (``unit_chooser``'s), gives ``--elsewhere`` other unions a counted initiative each,
fills one grassroots union with ``--sizes`` counted initiatives, one new person each (then
``ANALYZE``), and times, alternately
``--n`` times per round and ``--rounds`` rounds, for an author the union does not count yet
(*new*) and one it does (*known*):

- **before**: round 8's statement (written out below: it counted the union's participants on
  every submission);
- **after**: ``_submission_figures`` as it is (the participants only when an author is new).

The answers are compared (the day's count and the known authors equal; the participants equal
where the new statement counts them).  Wall-clock milliseconds (``time.perf_counter``), median and
p95, with the load average.  ``--write-doc`` writes the ``## Plausibility check at a large union
(issue 12)`` section of docs/benchmarks.md for the database measured, keeping the other one's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Plausibility check at a large union (issue 12)"
RESULTS = ROOT / "var" / "plausibility_cost.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,10000,50000", help="counted initiatives in the union, in turn")
    parser.add_argument("--grassroots", type=int, default=130_000, help="grassroots unions spread over the districts")
    parser.add_argument("--elsewhere", type=int, default=100_000,
                        help="counted initiatives of the programme in other unions (one each)")
    parser.add_argument("--n", type=int, default=100, help="timed calls per side, author and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, the sides taking turns within each")
    parser.add_argument("--write-doc", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    return parser.parse_args(argv)


def _before_figures(initiative: Any, person_ids: list[int]) -> tuple[int, int, int]:
    """Round 8's ``_submission_figures`` (``836be8c``): ``(same_day, participants, known)``, the
    union's participants counted on every call."""
    from django.db import connection

    from sangkien.core.clock import LOCAL_TZ, end_of_day, start_of_day
    from sangkien.initiatives.models import Authorship, Initiative, InitiativeQuerySet
    from sangkien.units.models import Unit

    quote = connection.ops.quote_name
    authorship, initiative_table = quote(Authorship._meta.db_table), quote(Initiative._meta.db_table)
    uncounted = " AND ".join(f"i.{quote(Initiative._meta.get_field(name).column)} IS NULL"  # type: ignore[union-attr,arg-type]
                             for name in InitiativeQuerySet.UNCOUNTED_WHEN)
    authors = sorted(set(person_ids))
    day = initiative.submitted_at.astimezone(LOCAL_TZ).date()
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"SELECT (SELECT COUNT(DISTINCT d.initiative_id) FROM {authorship} d"  # noqa: S608  # names from the models
        f" INNER JOIN {initiative_table} di ON di.id = d.initiative_id"
        f" WHERE d.person_id = %s AND di.programme_id = %s AND di.submitted_at >= %s AND di.submitted_at < %s),"
        f" COUNT(DISTINCT a.person_id),"
        f" COUNT(DISTINCT CASE WHEN a.person_id IN ({', '.join(['%s'] * len(authors))}) THEN a.person_id END)"
        f" FROM {authorship} a INNER JOIN {initiative_table} i ON i.id = a.initiative_id"
        f" INNER JOIN {quote(Unit._meta.db_table)} u ON u.id = i.unit_id"
        f" WHERE {uncounted} AND i.programme_id = %s AND u.path {connection.operators['startswith']} AND i.id <> %s"
    )
    params = [person_ids[0], initiative.programme_id, adapt(start_of_day(day)), adapt(end_of_day(day)), *authors,
              initiative.programme_id, connection.ops.prep_for_like_query(initiative.unit.path) + "%",
              initiative.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        same_day, participants, known = cursor.fetchone()
    return int(same_day), int(participants), int(known)


def _fill(phase: Any, units: list[Any]) -> tuple[list[Any], list[Any]]:
    """A counted initiative in each of ``units`` (a unit may come more than once), one new person each;
    the initiatives and persons."""
    from sangkien.core.clock import now
    from sangkien.initiatives.models import Authorship, Initiative, Person

    persons = Person.objects.bulk_create([Person(full_name=f"Người số {i}") for i in range(len(units))],
                                         batch_size=5000)
    initiatives = Initiative.objects.bulk_create(
        [Initiative(programme=phase.programme, phase=phase, unit=unit, title=f"Sáng kiến số {i}",
                    description="<p>Mô tả</p>", submitted_at=now(), sector_block="enterprise")
         for i, unit in enumerate(units)], batch_size=5000)
    Authorship.objects.bulk_create([Authorship(initiative=i, person=p, position=0, full_name=p.full_name)
                                    for i, p in zip(initiatives, persons, strict=True)], batch_size=5000)
    return initiatives, persons


def _programme() -> Any:
    """A programme of the national root with one phase open now; the phase."""
    import datetime as dt

    from sangkien.core.clock import now
    from sangkien.programmes.models import Phase, Programme
    from sangkien.units.models import Unit

    programme = Programme.objects.create(slug="01-trieu-sang-kien", name="01 triệu sáng kiến",
                                         organiser=Unit.objects.get_first_root_node())
    current = now()
    return Phase.objects.create(programme=programme, number=1, submission_start=current - dt.timedelta(days=1),
                                submission_end=current + dt.timedelta(days=60),
                                effect_start=current.date() - dt.timedelta(days=365),
                                effect_end=current.date() + dt.timedelta(days=30))


def measure(sizes: list[int], n: int, rounds: int, grassroots: int, elsewhere: int) -> dict[str, Any]:
    """The figures (see the module docstring) as a dict."""
    from django.db import connection

    from benchmarks.unit_chooser import _summary, _timed, _tree
    from sangkien.initiatives.plausibility import _submission_figures
    from sangkien.units.models import Unit, UnitKind

    _tree(grassroots)
    phase = _programme()
    unions = Unit.objects.filter(kind=UnitKind.GRASSROOTS).order_by("path")
    unit = unions.first()
    _fill(phase, list(unions[1:1 + elsewhere]))  # one initiative in each of ``elsewhere`` other unions
    filled, rows = 0, {}
    for size in sorted(sizes):
        initiatives, persons = _fill(phase, [unit] * (size - filled))
        filled = size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        probe = initiatives[-1]  # its own author wrote nothing else: a new participant
        for author, person in (("new", persons[-1]), ("known", persons[0])):
            before, after = _before_figures(probe, [person.pk]), _submission_figures(probe, [person.pk])
            same_day, known, participants = after
            if (same_day, known) != (before[0], before[2]) or participants not in (None, before[1]):
                sys.exit(f"different answers at {size:,} ({author}): before {before}, after {after}")
            samples: dict[str, list[float]] = {"before": [], "after": []}
            for _round in range(rounds):
                timed = _timed({"before": lambda p=person, i=probe: _before_figures(i, [p.pk]),
                                "after": lambda p=person, i=probe: _submission_figures(i, [p.pk])}, n)
                for side in samples:
                    samples[side] += timed[side]
            rows[f"{size:,} initiatives, {author} author"] = {
                "size": size, "author": author, "counted": participants is not None,
                **{side: _summary(values) for side, values in samples.items()}}
    return {"vendor": connection.vendor, "n": n, "rounds": rounds, "figures": rows,
            "units": Unit.objects.count(), "elsewhere": elsewhere, "union": unit.code}


def render(stored: dict[str, Any]) -> str:
    """The section of docs/benchmarks.md, one table per database stored."""
    lines = [SECTION, "",
             "Every web submission asks, in its transaction, the main author's initiatives of the day, which of "
             "its authors the union already counts and the union's participants (the members bound, "
             "`initiatives.plausibility`). The national tree (`load_national_units`) with 130,000 grassroots "
             "unions spread over the districts, 100,000 counted initiatives of the programme in other unions, and "
             "one grassroots union filled with counted initiatives (one new person each, then `ANALYZE`); a "
             "submission by an author the union does not count yet (*new*) and by one it "
             "counts (*known*). **Before**: round 8's statement, which counted the union's participants every "
             "time; **after**: the participants only when an author is new (the `CASE`'s sub-select is not run "
             "otherwise) and read from the union's own initiatives (a grassroots union's by their unit's index, "
             "an upper-level unit's by the range of its units' paths), the day's count and the known authors "
             "from the authors' own authorships. The "
             "sides take turns in one process on the same data; their answers are compared, equal. Wall clock "
             "(`time.perf_counter`), one statement each.", "",
             "    .venv/bin/python benchmarks/plausibility_cost.py --write-doc",
             "    scripts/with-postgres.sh .venv/bin/python benchmarks/plausibility_cost.py --write-doc", ""]
    for vendor, figures in sorted(stored.items()):
        lines += [f"**{vendor}**, measured {figures['measured']}: {figures['units']:,} units, "
                  f"{figures['elsewhere']:,} initiatives in other unions, union {figures['union']}; "
                  f"{figures['rounds']} rounds × {figures['n']} calls "
                  f"per side; load average 1/5/15 min at start {figures['load_average_start']}, at end "
                  f"{figures['load_average_end']}.", "",
                  "| union, author | participants counted after | before median ms | before p95 | after median ms "
                  "| after p95 |", "|---|---|---:|---:|---:|---:|"]
        for label, row in figures["figures"].items():
            lines.append(f"| {label} | {'yes' if row['counted'] else 'no'} | {row['before']['median_ms']} "
                         f"| {row['before']['p95_ms']} | {row['after']['median_ms']} | {row['after']['p95_ms']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.docs_section import measure_and_record
    from benchmarks.unit_chooser import _setup, _teardown

    sizes = [int(s) for s in args.sizes.split(",")]
    measure_and_record(lambda: measure(sizes, args.n, args.rounds, args.grassroots, args.elsewhere),
                       setup=_setup, teardown=_teardown,
                       results=RESULTS, heading=SECTION, render=render, json_path=args.json,
                       write_doc=args.write_doc)


if __name__ == "__main__":
    main()

"""The dashboards' unit table from pre-aggregated counts: a few milliseconds on millions.

:func:`rollup_unit_table` returns what :func:`sangkien.reports.counting.unit_table`
returns — same rows, figures, targets, % and ranks, for any unit, phase and
date range — once :func:`sangkien.reports.rollup_refresh.refresh` has run
after the last change (it runs every 30–60 s).  Until the first refresh it
counts live with ``unit_table``.

**What is stored** (:mod:`sangkien.reports.models`), per programme, phase
(or all phases), *scope* and local submission day — and per month, the sum
of its days:

- a scope is a unit's *own* initiatives (those attached to the unit itself:
  the "unknown unit" row) or its *subtree* (the unit and everything below);
  subtree rows exist only for units with initiatives below them, otherwise
  the own rows are the subtree;
- :class:`~sangkien.reports.models.DayCount`: submitted, approved, benefit
  (VND/year, not rejected), by sector block; the participants whose *first*
  and *last* active day in the scope is that day; the participants' gaps
  (below) starting and ending that day.  All additive, so a date range is a
  sum of whole months and of the days of at most two months;
- :class:`~sangkien.reports.models.GapCount`: participants whose
  consecutive active days in the scope are ``prev_day`` and ``next_day``
  (two days or more apart).

**Participants, exactly.**  A participant is counted in a row when they
wrote (or co-wrote) at least one initiative of the row's scope submitted in
the range [a, b] (local days, both included), as ``unit_table`` counts
them.  Among the people active in the scope, those with first day ≤ b are
either active in [a, b], or finished before a (last day < a), or active
before a and after b but not in between (a gap spanning [a, b]).  Hence::

    participants[a, b] = Σ first_seen(d ≤ b) − Σ last_seen(d < a) − #gaps(prev < a, next > b)

exact for any data — a person active in two units counts once in each unit
and once in their common ancestor.  An open end drops a term.  The spanning
gaps are counted in whichever of four equivalent ways reads the fewest rows
(:data:`_SPANNING`), estimated from the gap starts and ends per day.

**Cost** (whatever the number of initiatives): the children (1 query), the
targets (1, :func:`~sangkien.reports.counting.resolve_targets`), whether
the roll-ups are built (1), the sums over the month rows plus the day rows
of at most two months of the unit and its children (1), and the spanning
gaps when the range has two ends (1, an index-only range read).  On
PostgreSQL they run in one transaction without parallel workers
(:func:`_small_queries`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from sangkien.programmes.models import Phase, Programme
from sangkien.reports import counting
from sangkien.reports.counting import (
    RANK_FIELDS,
    UNKNOWN_UNIT_LABEL,
    Row,
    UnitTable,
    resolve_targets,
)
from sangkien.reports.models import DayCount, GapCount, RollupState
from sangkien.reports.rollup_store import ALL_PHASES, COUNT_FIELDS, PARTICIPANT_FIELDS
from sangkien.units.models import Unit


def is_ready() -> bool:
    """True once the roll-ups have been built (a first refresh ran)."""
    return RollupState.objects.filter(name="default", refreshed_at__isnull=False).exists()


def refreshed_at() -> dt.datetime | None:
    """When the figures were last brought up to date (for "số liệu cập nhật lúc …"), or ``None``."""
    return RollupState.objects.filter(name="default").values_list("watermark", flat=True).first()


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _sums(programme: Programme, unit_ids: list[int], phase_key: int, date_from: dt.date | None,
          date_to: dt.date | None) -> dict[tuple[int, bool], dict[str, int]]:
    """Per (unit, own): the counts in [from, to]; ``first``: Σ first_seen up to
    ``to``; ``finished``: Σ last_seen before ``from``; the gap starts/ends
    before ``from``, up to ``to`` and in all.

    One query: the month rows, and the day rows of the (at most two) months
    holding ``from`` and ``to``, summed per unit, scope and side of the range
    (before / inside / after) — each month row left lies wholly on one side.
    """
    edges = sorted({_month(d) for d in (date_from, date_to) if d is not None})
    adapt = connection.ops.adapt_datefield_value
    side, side_params = "1", []
    if date_from is not None or date_to is not None:
        cases = []
        if date_from is not None:
            cases.append("WHEN day < %s THEN 0")
            side_params.append(adapt(date_from))
        if date_to is not None:
            cases.append("WHEN day > %s THEN 2")
            side_params.append(adapt(date_to))
        side = f"CASE {' '.join(cases)} ELSE 1 END"
    columns = (*COUNT_FIELDS, *PARTICIPANT_FIELDS)
    table = connection.ops.quote_name(DayCount._meta.db_table)
    head = (f"SELECT unit_id, own, {side} AS side, {', '.join(columns)} FROM {table} WHERE programme_id = %s"  # noqa: S608
            f" AND phase_key = %s AND unit_id IN ({', '.join(['%s'] * len(unit_ids))}) AND own IN (%s, %s)"
            " AND month = %s")
    key_params = [programme.pk, phase_key, *unit_ids, True, False]
    parts = [head + (f" AND day NOT IN ({', '.join(['%s'] * len(edges))})" if edges else "")]
    params = [*side_params, *key_params, True, *(adapt(first) for first, _last in edges)]
    for first, last in edges:
        parts.append(head + " AND day >= %s AND day <= %s")
        params += [*side_params, *key_params, False, adapt(first), adapt(last)]
    sql = (f"SELECT unit_id, own, side, {', '.join(f'SUM({c})' for c in columns)} FROM ("  # noqa: S608
           + " UNION ALL ".join(parts) + ") AS rows_ GROUP BY unit_id, own, side")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    width = len(COUNT_FIELDS)
    result: dict[tuple[int, bool], dict[str, int]] = {}
    for unit_id, own, where, *values in found:
        s = result.setdefault((unit_id, bool(own)), dict.fromkeys(RESULT_FIELDS, 0))
        values = [int(v or 0) for v in values]
        first_seen, last_seen, opened, closed = values[width:]
        if where == 1:
            for name, value in zip(COUNT_FIELDS, values, strict=False):
                s[name] += value
        if where in (0, 1):
            s["first"] += first_seen
            s["opened_up_to"] += opened
            s["closed_up_to"] += closed
        if where == 0:
            s["finished"] += last_seen
            s["opened_before"] += opened
            s["closed_before"] += closed
        s["opened_all"] += opened
    return result


RESULT_FIELDS = (*COUNT_FIELDS, "first", "finished", "opened_before", "closed_before", "opened_up_to",
                 "closed_up_to", "opened_all")


#: The four ways to count the gaps spanning [a, b] (prev < a, next > b): the rows each reads,
#: the index it reads them by, and what to take them from (None: the rows are the answer).
_SPANNING = {
    "prev<a": ("prev_day < %s AND next_day > %s", "gapcount_prev", None),
    "next>b": ("next_day > %s AND prev_day < %s", "gapcount_next", None),
    "next in [a,b]": ("next_day >= %s AND next_day <= %s AND prev_day < %s", "gapcount_next", "crossing a"),
    "prev in [a,b]": ("prev_day >= %s AND prev_day <= %s AND next_day > %s", "gapcount_prev", "crossing b"),
}


def _spanning(programme: Programme, scopes: set[tuple[int, bool]], sums: dict[tuple[int, bool], dict[str, Any]],
              phase_key: int, date_from: dt.date, date_to: dt.date, way: str | None = None
              ) -> dict[tuple[int, bool], int]:
    """Per (unit, own) of ``scopes``: participants with a gap from before ``from`` to after ``to``.

    Estimates from the day rows how many gaps each way would read — before
    ``from``, after ``to``, ending inside, starting inside — and reads the
    fewest: a gap spans the range if it crosses ``from`` and does not end
    inside, or crosses ``to`` and did not start inside.  ``way`` forces one
    of :data:`_SPANNING` (tests).
    """
    used = [sums[scope] for scope in scopes if scope in sums]
    estimate = {
        "prev<a": sum(s["opened_before"] for s in used),
        "next>b": sum(s["opened_all"] - s["closed_up_to"] for s in used),
        "next in [a,b]": sum(s["closed_up_to"] - s["closed_before"] for s in used),
        "prev in [a,b]": sum(s["opened_up_to"] - s["opened_before"] for s in used),
    }
    way = way or min(estimate, key=estimate.__getitem__)
    condition, index, base = _SPANNING[way]
    params: list[Any] = {"prev<a": [date_from, date_to], "next>b": [date_to, date_from],
                         "next in [a,b]": [date_from, date_to, date_from],
                         "prev in [a,b]": [date_from, date_to, date_to]}[way]
    table = connection.ops.quote_name(GapCount._meta.db_table)
    hint = f" INDEXED BY {index}" if connection.vendor == "sqlite" else ""  # SQLite has no statistics to choose
    # One SELECT per value of ``own``: the index then narrows programme, phase, unit, own and the day.
    selects, values = [], []
    adapt = connection.ops.adapt_datefield_value
    for flag in (True, False):
        units = sorted(unit for unit, own in scopes if own is flag)
        if units:
            selects.append(f"SELECT unit_id, own, SUM(persons) FROM {table}{hint} WHERE programme_id = %s"  # noqa: S608
                           f" AND phase_key = %s AND own = %s AND unit_id IN ({', '.join(['%s'] * len(units))})"
                           f" AND {condition} GROUP BY unit_id, own")
            values += [programme.pk, phase_key, flag, *units, *(adapt(d) for d in params)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), values)
        found = {(unit, bool(own)): int(n or 0) for unit, own, n in cursor.fetchall()}
    result = {}
    for unit, own in scopes:
        s = sums.get((unit, own))
        if s is None:
            continue
        rows = found.get((unit, own), 0)
        if base == "crossing a":
            result[(unit, own)] = s["opened_before"] - s["closed_before"] - rows
        elif base == "crossing b":
            result[(unit, own)] = s["opened_up_to"] - s["closed_up_to"] - rows
        else:
            result[(unit, own)] = rows
    return result


@contextlib.contextmanager
def _small_queries() -> Iterator[None]:
    """On PostgreSQL, no parallel workers for these queries: starting them costs more
    (measured: the national table with a date range took 73 ms with them, 27 ms without,
    on 2 cores) than the few thousand index rows each query reads.  Elsewhere: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def rollup_unit_table(
    *, programme: Programme, unit: Unit, phase: Phase | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None, rank_by: str = "submitted",
) -> UnitTable:
    """:func:`~sangkien.reports.counting.unit_table` computed from the roll-ups.

    Same arguments, same result (see the module docstring for the exact
    participants arithmetic); live counting until the first refresh.  At
    most four queries, whatever the unit.

    :raises ValueError: ``rank_by`` is not one of :data:`~sangkien.reports.counting.RANK_FIELDS`.
    """
    if rank_by not in RANK_FIELDS:
        raise ValueError(rank_by)
    if not is_ready():
        return counting.unit_table(programme=programme, unit=unit, phase=phase, date_from=date_from,
                                   date_to=date_to, rank_by=rank_by)
    phase_key = phase.pk if phase is not None else ALL_PHASES
    empty = date_from is not None and date_to is not None and date_from > date_to
    with _small_queries():
        children = list(Unit.objects.get_children(unit).only(
            "pk", "code", "name", "kind", "path", "is_active", "numchild", "valid_from", "retired_on"))
        existed = counting.existed_then(programme, children)
        targets = resolve_targets(programme, phase, [unit, *children], unit)
        ids = [unit.pk, *(c.pk for c in children)]
        sums = {} if empty else _sums(programme, ids, phase_key, date_from, date_to)
        # A unit's subtree is stored as such when something lies below it; otherwise its own rows are it.
        own_is_subtree = {pk: (pk, False) not in sums for pk in ids}
        spanning: dict[tuple[int, bool], int] = {}
        if date_from is not None and date_to is not None and sums:
            scopes = set(own_is_subtree.items()) | ({(unit.pk, True)} if children else set())
            spanning = _spanning(programme, scopes, sums, phase_key, date_from, date_to)

    def fill(row: Row, unit_id: int, *, own: bool | None) -> bool:
        """Fill ``row`` from a scope (``own`` None: the subtree); False when nothing in range."""
        if own is None:
            own = own_is_subtree[unit_id]
        found = sums.get((unit_id, own))
        if not found:
            return False
        for name in COUNT_FIELDS:
            setattr(row, name, found[name])
        row.participants = found["first"] - found["finished"] - spanning.get((unit_id, own), 0)
        return row.submitted > 0

    total = Row(code=unit.code, name=unit.name, unit_id=unit.pk, kind=unit.kind, has_children=bool(children))
    fill(total, unit.pk, own=None)
    total.target = targets.get(unit.pk)
    total.pct_of_target = counting._pct(total.submitted, total.target)

    rows: list[Row] = []
    for child in children:
        row = Row(code=child.code, name=child.name, unit_id=child.pk, kind=child.kind,
                  is_active=existed[child.pk], has_children=child.numchild > 0)
        if not fill(row, child.pk, own=None) and not existed[child.pk]:
            continue  # a unit that did not exist for this programme, with nothing to show
        row.target = targets.get(child.pk)
        row.pct_of_target = counting._pct(row.submitted, row.target)
        rows.append(row)

    counting.rank_rows(rows, rank_by)

    if children:
        unknown = Row(code=None, name=UNKNOWN_UNIT_LABEL)
        fill(unknown, unit.pk, own=True)
        rows.append(unknown)
    return UnitTable(programme=programme, unit=unit, total=total, rows=rows, phase=phase,
                     date_from=date_from, date_to=date_to, rank_by=rank_by)

"""What the dashboards' roll-ups store, and the arithmetic that keeps them right.

Used by :mod:`sangkien.reports.rollup_refresh` (when to recount what) and
:mod:`sangkien.reports.rollup` (reading).  Shapes: a *scope* is ``(unit id,
own)``; figures are lists in the order :data:`COUNT_FIELDS` +
:data:`PARTICIPANT_FIELDS`; days are ``date.toordinal()`` integers; a
person's *activity* is the set of ``(phase id, unit id, day)`` of the
counted initiatives they wrote or co-wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from sangkien.core import bulk
from sangkien.core.clock import LOCAL_TZ
from sangkien.initiatives.models import (
    Authorship,
    Initiative,
    InitiativeQuerySet,
    SectorBlock,
    Status,
)
from sangkien.reports.counting import COUNT_EXPRESSIONS
from sangkien.reports.models import DayCount, GapCount, PersonDay
from sangkien.units.models import Unit

ALL_PHASES = 0
COUNT_FIELDS = tuple(COUNT_EXPRESSIONS)  # submitted, approved, benefit_vnd, then the same by sector block
PARTICIPANT_FIELDS = ("first_seen", "last_seen", "gaps_opened", "gaps_closed")
DAY_FIELDS = ("programme", "phase_key", "unit", "own", "month", "day", *COUNT_FIELDS, *PARTICIPANT_FIELDS)
GAP_FIELDS = ("programme", "phase_key", "unit", "own", "prev_day", "next_day", "persons")
PERSON_FIELDS = ("programme", "person_id", "phase_id", "unit_id", "day")
IN_BATCH = 400  # ids per IN (…): SQLite allows 999 parameters

Scope = tuple[int, bool]  # (unit id, own)
DayKey = tuple[int, bool, int, int]  # (unit id, own, phase key, day ordinal)
RowKey = tuple[int, bool, int, bool, int]  # (unit id, own, phase key, month?, day or month's first day ordinal)
GapKey = tuple[int, bool, int, int, int]  # (unit id, own, phase key, previous day, next day ordinals)
Point = tuple[int, int, int]  # (phase id, unit id, day ordinal) of a person's activity


def counted_initiatives(programme_id: int | None = None) -> QuerySet[Initiative]:
    """The counted initiatives (``Initiative.objects.counted()``), all or a programme's."""
    qs = Initiative.objects.counted()
    return qs if programme_id is None else qs.filter(programme_id=programme_id)


def local_day(moment: dt.datetime) -> int:
    """The ordinal of ``moment``'s local (Asia/Ho_Chi_Minh) date."""
    return moment.astimezone(LOCAL_TZ).toordinal()


def batches(items: Iterable[Any], size: int = IN_BATCH) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- the tree ----------------------------------------------------------------

class Tree:
    """Every unit's parent (one query), ancestors and a fingerprint of the parents."""

    def __init__(self) -> None:
        rows = list(Unit.objects.values_list("pk", "path"))
        by_path = {path: pk for pk, path in rows}
        self.parent = {pk: by_path.get(path[:-Unit.steplen]) for pk, path in rows}
        self.max_id = max(self.parent, default=0)
        self._ancestors: dict[int, tuple[int, ...]] = {}

    def ancestors(self, unit_id: int) -> tuple[int, ...]:
        """Proper ancestors of ``unit_id``, nearest first (empty for an unknown unit)."""
        found = self._ancestors.get(unit_id)
        if found is None:
            parent = self.parent.get(unit_id)
            found = () if parent is None else (parent, *self.ancestors(parent))
            self._ancestors[unit_id] = found
        return found

    def fingerprint(self, up_to: int) -> str:
        """SHA-1 of (unit, parent) for units up to id ``up_to``: changes when one of them moves."""
        digest = hashlib.sha1(usedforsecurity=False)
        for pk in sorted(pk for pk in self.parent if pk <= up_to):
            digest.update(f"{pk}:{self.parent[pk]};".encode())
        return digest.hexdigest()


class Scopes:
    """The scopes an initiative attached to a unit counts in: the unit's own
    scope, the subtree of each ancestor, and the unit's own subtree when
    something lies below it (an *aggregate* unit)."""

    def __init__(self, tree: Tree, aggregates: set[int]) -> None:
        self.tree, self.aggregates = tree, aggregates
        self._memo: dict[int, tuple[Scope, ...]] = {}

    def of(self, unit_id: int) -> tuple[Scope, ...]:
        found = self._memo.get(unit_id)
        if found is None:
            found = ((unit_id, True), *((a, False) for a in self.tree.ancestors(unit_id)))
            if unit_id in self.aggregates:
                found += ((unit_id, False),)
            self._memo[unit_id] = found
        return found


# --- arithmetic ----------------------------------------------------------------

def own_counts(programme_id: int, keys: set[tuple[int, int]] | None = None) -> dict[tuple[int, int, int], list[int]]:
    """Own figures (:data:`COUNT_FIELDS`) per (unit, phase, day ordinal) from the
    initiatives: all of the programme's (one grouped query), or only those of
    the (unit, day ordinal) ``keys`` (read by unit, added up here the same way)."""
    result: dict[tuple[int, int, int], list[int]] = {}
    if keys is None:
        grouped = (counted_initiatives(programme_id).annotate(local=TruncDate("submitted_at", tzinfo=LOCAL_TZ))
                   .order_by().values_list("unit_id", "phase_id", "local").annotate(**COUNT_EXPRESSIONS))
        for unit_id, phase_id, day, *values in grouped.iterator(chunk_size=20_000):
            result[(unit_id, phase_id, day.toordinal())] = [int(v or 0) for v in values]
        return result
    # By unit only: a filter on the programme or the date lets SQLite pick a far larger index range.
    fields = ["unit_id", "programme_id", "phase_id", "submitted_at", "status", "sector_block", "benefit_vnd",
              *InitiativeQuerySet.UNCOUNTED_WHEN]
    for units in batches(sorted({unit for unit, _day in keys})):
        for unit_id, programme, phase_id, at, status, sector, benefit, *uncounted in (
                Initiative.objects.filter(unit_id__in=units).values_list(*fields)):
            if programme != programme_id or any(uncounted):
                continue
            day = local_day(at)
            if (unit_id, day) not in keys:
                continue
            row = result.setdefault((unit_id, phase_id, day), [0] * len(COUNT_FIELDS))
            approved = status == Status.APPROVED
            row[0] += 1
            row[1] += approved
            row[2] += (benefit or 0) if status != Status.REJECTED else 0
            row[3] += sector == SectorBlock.ENTERPRISE
            row[4] += sector == SectorBlock.PUBLIC
            row[5] += approved and sector == SectorBlock.ENTERPRISE
            row[6] += approved and sector == SectorBlock.PUBLIC
    return result


def activity(programme_id: int, person_ids: Iterable[int] | None = None) -> dict[int, set[Point]]:
    """Each person's activity now: (phase, unit, day) of the counted initiatives they co-wrote
    (all participants of the programme, or ``person_ids``)."""
    result: dict[int, set[Point]] = defaultdict(set)
    if person_ids is None:
        base = Authorship.objects.filter(InitiativeQuerySet.counted_filter("initiative__"),
                                         initiative__programme_id=programme_id)
        rows = (base.annotate(local=TruncDate("initiative__submitted_at", tzinfo=LOCAL_TZ)).order_by()
                .values_list("person_id", "initiative__phase_id", "initiative__unit_id", "local").distinct())
        for person_id, phase_id, unit_id, day in rows.iterator(chunk_size=20_000):
            result[person_id].add((phase_id, unit_id, day.toordinal()))
        return result
    fields = ["person_id", "initiative__programme_id", "initiative__phase_id", "initiative__unit_id",
              "initiative__submitted_at", *(f"initiative__{name}" for name in InitiativeQuerySet.UNCOUNTED_WHEN)]
    for batch in batches(person_ids):  # by person only, for the same reason as in own_counts
        for person_id, programme, phase_id, unit_id, at, *uncounted in (
                Authorship.objects.filter(person_id__in=batch).values_list(*fields)):
            if programme == programme_id and not any(uncounted):
                result[person_id].add((phase_id, unit_id, local_day(at)))
    return result


def counted_activity(programme_id: int, person_ids: Iterable[int]) -> dict[int, set[Point]]:
    """Each person's activity as last counted (:class:`PersonDay`)."""
    result: dict[int, set[Point]] = defaultdict(set)
    for batch in batches(person_ids):
        rows = PersonDay.objects.filter(programme_id=programme_id, person_id__in=batch).values_list(
            "person_id", "phase_id", "unit_id", "day")
        for person_id, phase_id, unit_id, day in rows:
            result[person_id].add((phase_id, unit_id, day.toordinal()))
    return result


def contributions(points: set[Point], scopes: Scopes, days: dict[DayKey, list[int]],
                  gaps: Counter[GapKey], sign: int = 1) -> None:
    """Add (``sign`` = 1) or take away (-1) one person's share: +1 ``first_seen``
    on their first day and +1 ``last_seen`` on their last day in each scope
    and phase key; per gap of two days or more between active days, +1 gap
    row and +1 ``gaps_opened`` / ``gaps_closed`` on the days it starts / ends."""
    by_scope: dict[tuple[int, bool, int], set[int]] = defaultdict(set)
    for phase_id, unit_id, day in points:
        for unit, own in scopes.of(unit_id):
            by_scope[(unit, own, phase_id)].add(day)
            by_scope[(unit, own, ALL_PHASES)].add(day)
    width = len(COUNT_FIELDS) + len(PARTICIPANT_FIELDS)
    first_at = len(COUNT_FIELDS)
    last_at, opened_at, closed_at = first_at + 1, first_at + 2, first_at + 3
    for (unit, own, phase_key), active in by_scope.items():
        ordered = sorted(active)
        days.setdefault((unit, own, phase_key, ordered[0]), [0] * width)[first_at] += sign
        days.setdefault((unit, own, phase_key, ordered[-1]), [0] * width)[last_at] += sign
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after - before >= 2:
                gaps[(unit, own, phase_key, before, after)] += sign
                days.setdefault((unit, own, phase_key, before), [0] * width)[opened_at] += sign
                days.setdefault((unit, own, phase_key, after), [0] * width)[closed_at] += sign


def spread_counts(own: dict[tuple[int, int, int], list[int]], scopes: Scopes,
                  days: dict[DayKey, list[int]], sign: int = 1) -> None:
    """Add ``sign`` × each own figure to its unit's own row and the subtree rows above, per phase and for all."""
    width = len(COUNT_FIELDS) + len(PARTICIPANT_FIELDS)
    for (unit_id, phase_id, day), values in own.items():
        for unit, flag in scopes.of(unit_id):
            for phase_key in (phase_id, ALL_PHASES):
                row = days.setdefault((unit, flag, phase_key, day), [0] * width)
                for index, value in enumerate(values):
                    row[index] += sign * value


# --- writing -----------------------------------------------------------------

class Inconsistent(Exception):
    """A roll-up would become negative: the stored rows do not match the initiatives."""


def with_months(days: dict[DayKey, list[int]]) -> dict[RowKey, list[int]]:
    """The day rows and, for each month, their sum: the rows :class:`DayCount` stores."""
    rows: dict[RowKey, list[int]] = {}
    firsts: dict[int, int] = {}
    for (unit, own, phase_key, day), values in days.items():
        rows[(unit, own, phase_key, False, day)] = values
        first = firsts.get(day)
        if first is None:
            first = firsts[day] = dt.date.fromordinal(day).replace(day=1).toordinal()
        total = rows.get((unit, own, phase_key, True, first))
        if total is None:
            rows[(unit, own, phase_key, True, first)] = list(values)
        else:
            for index, value in enumerate(values):
                total[index] += value
    return rows


def day_rows(programme_id: int, rows: dict[RowKey, list[int]]) -> Iterator[tuple[Any, ...]]:
    adapt = bulk.date_adapter()
    for (unit, own, phase_key, month, day), values in rows.items():
        if any(values):
            if min(values) < 0:
                raise Inconsistent((unit, own, phase_key, month, dt.date.fromordinal(day), values))
            yield (programme_id, phase_key, unit, own, month, adapt(dt.date.fromordinal(day)), *values)


def gap_rows(programme_id: int, gaps: Counter[GapKey]) -> Iterator[tuple[Any, ...]]:
    adapt = bulk.date_adapter()
    for (unit, own, phase_key, before, after), persons in gaps.items():
        if persons:
            if persons < 0:
                raise Inconsistent((unit, own, phase_key, before, after, persons))
            yield (programme_id, phase_key, unit, own, adapt(dt.date.fromordinal(before)),
                   adapt(dt.date.fromordinal(after)), persons)


def person_rows(programme_id: int, points: dict[int, set[Point]]) -> Iterator[tuple[Any, ...]]:
    adapt = bulk.date_adapter()
    for person_id, active in points.items():
        for phase_id, unit_id, day in active:
            yield (programme_id, person_id, phase_id, unit_id, adapt(dt.date.fromordinal(day)))


KEY_BATCH = 1000  # keys per lookup: 5 parameters each


def rows_at(model: type[DayCount] | type[GapCount], key_fields: Sequence[str], keys: Iterable[tuple[Any, ...]], *,
            programme_id: int, value_fields: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The stored rows of ``programme_id`` whose ``key_fields`` equal one of ``keys``:
    ``(pk, *key values, *value_fields)``, dates as dates, flags as booleans.

    One join with a ``VALUES`` list per :data:`KEY_BATCH` keys (portable SQL;
    both databases then look each key up in the key index)."""
    quote = connection.ops.quote_name
    meta = model._meta
    key_columns = bulk.columns(model, key_fields)
    value_columns = bulk.columns(model, value_fields)
    on = " AND ".join(f"t.{quote(c)} = k.column{i}" for i, c in enumerate(key_columns, start=1))
    select = ", ".join(f"t.{quote(c)}" for c in ["id", *key_columns, *value_columns])
    adapt_date = connection.ops.adapt_datefield_value
    kinds = [bulk.concrete_field(model, name).get_internal_type() for name in (*key_fields, *value_fields)]
    for batch in batches(keys, KEY_BATCH):
        marks = ", ".join("(" + ", ".join(["%s"] * len(key_columns)) + ")" for _ in batch)
        sql = (f"SELECT {select} FROM {quote(meta.db_table)} t JOIN (VALUES {marks}) AS k ON {on}"  # noqa: S608
               " WHERE t.programme_id = %s")
        params = [adapt_date(v) if isinstance(v, dt.date) else v for key in batch for v in key]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, programme_id])
            for pk, *values in cursor.fetchall():
                yield (pk, *(bool(v) if kind == "BooleanField" else v for v, kind in zip(values, kinds, strict=True)))


def apply_days(programme_id: int, deltas: dict[RowKey, list[int]]) -> int:
    """Add ``deltas`` to the stored day and month rows (read, delete, insert); returns rows written."""
    merged: dict[RowKey, list[int]] = {}
    stale: list[int] = []
    keys = [(unit, own, phase_key, month, dt.date.fromordinal(day)) for unit, own, phase_key, month, day in deltas]
    for pk, unit, own, phase_key, month, day, *values in rows_at(
            DayCount, ("unit", "own", "phase_key", "month", "day"), keys, programme_id=programme_id,
            value_fields=(*COUNT_FIELDS, *PARTICIPANT_FIELDS)):
        merged[(unit, own, phase_key, month, day.toordinal())] = values
        stale.append(pk)
    for key, delta in deltas.items():
        current = merged.get(key)
        merged[key] = delta if current is None else [a + b for a, b in zip(current, delta, strict=True)]
    new_rows = list(day_rows(programme_id, merged))
    for batch in batches(stale):
        DayCount.objects.filter(pk__in=batch).delete()
    return bulk.insert_rows(DayCount, DAY_FIELDS, new_rows)


def apply_gaps(programme_id: int, deltas: Counter[GapKey]) -> int:
    """Add ``deltas`` to the stored gap rows; returns rows written."""
    deltas = Counter({k: v for k, v in deltas.items() if v})
    merged: Counter[GapKey] = Counter()
    stale: list[int] = []
    keys = [(unit, own, phase_key, dt.date.fromordinal(before), dt.date.fromordinal(after))
            for unit, own, phase_key, before, after in deltas]
    for pk, unit, own, phase_key, before, after, persons in rows_at(
            GapCount, ("unit", "own", "phase_key", "prev_day", "next_day"), keys, programme_id=programme_id,
            value_fields=("persons",)):
        merged[(unit, own, phase_key, before.toordinal(), after.toordinal())] = persons
        stale.append(pk)
    for key, delta in deltas.items():
        merged[key] = merged.get(key, 0) + delta
    new_rows = list(gap_rows(programme_id, merged))
    for batch in batches(stale):
        GapCount.objects.filter(pk__in=batch).delete()
    return bulk.insert_rows(GapCount, GAP_FIELDS, new_rows)


# --- aggregate units -----------------------------------------------------------

def stored_aggregates(programme_id: int, units: Iterable[int]) -> set[int]:
    """Units among ``units`` that already have subtree rows."""
    found: set[int] = set()
    for batch in batches(units):
        found.update(DayCount.objects.filter(programme_id=programme_id, phase_key=ALL_PHASES, own__in=[False],
                                             unit_id__in=batch).values_list("unit_id", flat=True).distinct())
    return found


def open_subtrees(programme_id: int, units: set[int]) -> int:
    """``units`` become aggregate: their subtree rows start as a copy of their own rows."""
    written = 0
    adapt = bulk.date_adapter()
    for batch in batches(sorted(units)):
        day_rows = DayCount.objects.filter(programme_id=programme_id, own=True, unit_id__in=batch).values_list(
            "phase_key", "unit_id", "month", "day", *COUNT_FIELDS, *PARTICIPANT_FIELDS)
        written += bulk.insert_rows(DayCount, DAY_FIELDS, [
            (programme_id, phase_key, unit, False, month, adapt(day), *values)
            for phase_key, unit, month, day, *values in day_rows])
        gap_rows = GapCount.objects.filter(programme_id=programme_id, own=True, unit_id__in=batch).values_list(
            "phase_key", "unit_id", "prev_day", "next_day", "persons")
        written += bulk.insert_rows(GapCount, GAP_FIELDS, [
            (programme_id, phase_key, unit, False, adapt(before), adapt(after), persons)
            for phase_key, unit, before, after, persons in gap_rows])
    return written



"""Refreshing the dashboards' roll-ups (:mod:`sangkien.reports.models`) from the initiatives.

Run it every 30–60 s: ``manage.py refresh_rollups --loop 30`` beside the web
workers, or the task :func:`sangkien.reports.tasks.refresh_rollups`
(``manage.py refresh_rollups --schedule 30`` queues it; it queues its next
run itself).  One refresh at a time, in one transaction: readers see the
old or the new figures, never half (PostgreSQL: an advisory lock, then one
REPEATABLE READ snapshot; SQLite: the write lock taken at BEGIN, which also
holds submissions back while the refresh lasts — seconds when incremental,
minutes for a full rebuild of 1.9 million initiatives).

**Incremental** (the usual case): read the initiatives whose ``updated_at``
is after the watermark — the instant the previous refresh began — minus
:data:`MARGIN` (a submission, a review, a resubmission, a duplicate mark all
save the initiative; the margin catches what was saved just before the
previous refresh but committed after it, and clock skew), then

1. recount, from the initiatives, the *own* figures of every (unit, local
   day) they belong to, and add the difference to the unit's own rows and
   to the subtree rows of its ancestors;
2. for every author or co-author of those initiatives, compare their
   activity as last counted (:class:`PersonDay`) with their activity now,
   and add the difference of their first day, last day and gaps to every
   scope it touches;
3. compare each programme's number of counted initiatives with the
   roll-ups' total; on a difference (rows committed long after their
   ``updated_at`` — a bulk import's transaction — or deleted initiatives)
   recount every (unit, day) and repair the ones that differ.

Re-reading the margin is harmless: recounting a key that did not change
adds zero.  **Full** (``--full``, the first run, or when a unit changed
parent since the last run — units moved or merged): delete a programme's
rows and build them again, with the same arithmetic.

Every figure is written twice: per phase and for all phases (phase key 0),
and per day and per month (see :mod:`sangkien.reports.rollup`).  More
changed initiatives than :data:`REBUILD_ABOVE` (and than a quarter of the
programme's) — a scenario or a huge import — rebuild the programme instead.
A stored figure that would turn negative (:class:`Inconsistent`) rebuilds it
too.

Not seen by the incremental refresh (use ``--full``): a review committed
more than :data:`MARGIN` after it was saved; an initiative re-pointed to
another unit, day or phase, or an authorship removed, without saving the
initiative (no service does either); a programme deleted.  The changed rows
are found by ``updated_at``, which has no index yet: each refresh reads the
whole initiatives table once, and counts it once (step 3).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from sangkien.core import bulk
from sangkien.core.clock import now
from sangkien.initiatives.models import Authorship, Initiative
from sangkien.programmes.models import Phase, Programme
from sangkien.reports.models import DayCount, GapCount, PersonDay, RollupState
from sangkien.reports.rollup_store import (
    ALL_PHASES,
    COUNT_FIELDS,
    DAY_FIELDS,
    GAP_FIELDS,
    PERSON_FIELDS,
    DayKey,
    GapKey,
    Inconsistent,
    Scopes,
    Tree,
    activity,
    apply_days,
    apply_gaps,
    batches,
    contributions,
    counted_activity,
    counted_initiatives,
    day_rows,
    gap_rows,
    local_day,
    open_subtrees,
    own_counts,
    person_rows,
    rows_at,
    spread_counts,
    stored_aggregates,
    with_months,
)

#: Re-read what was saved in the two minutes before the previous refresh began (late commits, clock skew).
MARGIN = dt.timedelta(seconds=120)
#: More changed initiatives than this (and than a quarter of the programme's): rebuild the programme.
REBUILD_ABOVE = 50_000
LOCK_KEY = 0x5A6B_2023  # PostgreSQL advisory lock of the refresh


# --- full and incremental -------------------------------------------------------

@dataclass
class ProgrammeReport:
    """What one refresh did to one programme."""

    mode: str  # "full" | "incremental" | "repair"
    keys: int = 0  # (unit, day) keys recounted
    persons: int = 0  # participants whose activity was compared
    rows: int = 0  # roll-up rows written


def rebuild(programme_id: int, tree: Tree) -> ProgrammeReport:
    """Delete the programme's roll-ups and build them from its initiatives."""
    for model in (DayCount, GapCount, PersonDay):
        model.objects.filter(programme_id=programme_id).delete()
    own = own_counts(programme_id)
    points = activity(programme_id)
    with_data = {unit for unit, _phase, _day in own} | {u for ps in points.values() for _p, u, _d in ps}
    scopes = Scopes(tree, {a for unit in with_data for a in tree.ancestors(unit)})
    days: dict[DayKey, list[int]] = {}
    gaps: Counter[GapKey] = Counter()
    spread_counts(own, scopes, days)
    for active in points.values():
        contributions(active, scopes, days, gaps)
    # Sorted: a scope's rows lie together on disk, which the dashboards' range reads like.
    rows = bulk.insert_rows(DayCount, DAY_FIELDS, day_rows(programme_id, dict(sorted(with_months(days).items()))))
    rows += bulk.insert_rows(GapCount, GAP_FIELDS, gap_rows(programme_id, Counter(dict(sorted(gaps.items())))))
    rows += bulk.insert_rows(PersonDay, PERSON_FIELDS, person_rows(programme_id, points))
    return ProgrammeReport("full", keys=len({(u, d) for u, _p, d in own}), persons=len(points), rows=rows)


def update(programme_id: int, tree: Tree, keys: set[tuple[int, int]], person_ids: set[int],
           mode: str = "incremental") -> ProgrammeReport:
    """Recount the (unit, day ordinal) ``keys`` and the activity of ``person_ids``.

    :raises Inconsistent: a figure would become negative (the caller rebuilds).
    """
    new_own = own_counts(programme_id, keys)
    old_own: dict[tuple[int, int, int], list[int]] = {}
    phases = list(Phase.objects.filter(programme_id=programme_id).values_list("pk", flat=True))
    for _pk, phase_key, unit_id, _own, _month, day, *values in rows_at(
            DayCount, ("phase_key", "unit", "own", "month", "day"),
            [(p, u, True, False, dt.date.fromordinal(d)) for u, d in keys for p in phases],
            programme_id=programme_id, value_fields=COUNT_FIELDS):
        old_own[(unit_id, phase_key, day.toordinal())] = values
    old_points = counted_activity(programme_id, person_ids)
    new_points = activity(programme_id, person_ids)

    involved = {u for u, _d in keys} | {u for ps in (*old_points.values(), *new_points.values()) for _p, u, _d in ps}
    above = {a for unit in involved for a in tree.ancestors(unit)}
    stored = stored_aggregates(programme_id, involved | above)
    rows = open_subtrees(programme_id, above - stored)
    scopes = Scopes(tree, stored | above)

    days: dict[DayKey, list[int]] = {}
    gaps: Counter[GapKey] = Counter()
    spread_counts(old_own, scopes, days, sign=-1)
    spread_counts(new_own, scopes, days)
    for person_id in person_ids:
        old, new = old_points.get(person_id, set()), new_points.get(person_id, set())
        if old != new:
            contributions(old, scopes, days, gaps, sign=-1)
            contributions(new, scopes, days, gaps)
    rows += apply_days(programme_id, with_months({k: v for k, v in days.items() if any(v)}))
    rows += apply_gaps(programme_id, gaps)
    changed = [p for p in person_ids if old_points.get(p, set()) != new_points.get(p, set())]
    for batch in batches(changed):
        PersonDay.objects.filter(programme_id=programme_id, person_id__in=batch).delete()
    rows += bulk.insert_rows(PersonDay, PERSON_FIELDS,
                             person_rows(programme_id, {p: new_points.get(p, set()) for p in changed}))
    return ProgrammeReport(mode, keys=len(keys), persons=len(person_ids), rows=rows)


def rollup_total(programme_id: int, tree: Tree) -> int:
    """Initiatives of the programme as the roll-ups count them (the roots' totals)."""
    roots = [pk for pk, parent in tree.parent.items() if parent is None]
    rows = (DayCount.objects.filter(programme_id=programme_id, phase_key=ALL_PHASES, unit_id__in=roots,
                                    own__in=[True, False], month__in=[True])
            .values_list("unit_id", "own").annotate(n=Sum("submitted")))
    by_scope = {(unit, own): n for unit, own, n in rows}
    return sum(by_scope.get((r, False), by_scope.get((r, True), 0)) for r in roots)


def repair(programme_id: int, tree: Tree) -> ProgrammeReport:
    """Recount every (unit, day) and fix those whose own figures differ."""
    own = own_counts(programme_id)
    stored: dict[tuple[int, int, int], list[int]] = {}
    rows = DayCount.objects.filter(programme_id=programme_id, own=True, month=False).exclude(phase_key=ALL_PHASES)
    for unit_id, phase_key, day, *values in rows.values_list("unit_id", "phase_key", "day", *COUNT_FIELDS).iterator(
            chunk_size=20_000):
        stored[(unit_id, phase_key, day.toordinal())] = values
    differing = (own.keys() ^ stored.keys()) | {k for k in own.keys() & stored.keys() if own[k] != stored[k]}
    keys = {(unit, day) for unit, _phase, day in differing}
    persons: set[int] = set()
    for units in batches(sorted({u for u, _d in keys})):
        wanted = {(u, d) for u, d in keys if u in units}
        for person_id, unit_id, day in PersonDay.objects.filter(programme_id=programme_id, unit_id__in=units
                                                                ).values_list("person_id", "unit_id", "day"):
            if (unit_id, day.toordinal()) in wanted:
                persons.add(person_id)
        for person_id, programme, unit_id, at in Authorship.objects.filter(initiative__unit_id__in=units).values_list(
                "person_id", "initiative__programme_id", "initiative__unit_id", "initiative__submitted_at"):
            if programme == programme_id and (unit_id, local_day(at)) in wanted:
                persons.add(person_id)
    return update(programme_id, tree, keys, persons, mode="repair")


@dataclass
class RefreshReport:
    """What a refresh did: mode per programme, initiatives read, seconds."""

    changed: int = 0
    seconds: float = 0.0
    reason: str = ""
    watermark: str | None = None
    programmes: dict[int, ProgrammeReport] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "programmes": {str(k): asdict(v) for k, v in self.programmes.items()}}


def refresh(*, full: bool = False, margin: dt.timedelta = MARGIN) -> RefreshReport:
    """Bring every programme's roll-ups up to date (see the module docstring).

    ``full`` rebuilds everything.  On PostgreSQL, when not nested in a
    transaction, a session advisory lock lets one refresh run at a time and
    the refresh reads one snapshot (REPEATABLE READ), so submissions
    committed meanwhile wait for the next run; on SQLite the write lock
    taken at BEGIN (``transaction_mode = IMMEDIATE``) serialises them — and
    holds submissions back while it lasts.  Returns a :class:`RefreshReport`.
    """
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    if not snapshot:
        return _refresh(full=full, margin=margin, snapshot=False)
    # One refresh at a time, waiting *before* the snapshot is taken (else it would be stale).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        return _refresh(full=full, margin=margin, snapshot=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _refresh(*, full: bool, margin: dt.timedelta, snapshot: bool) -> RefreshReport:
    started = time.monotonic()
    report = RefreshReport()
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        began = now()  # every change saved before this instant is read now, or (late commits) next time
        state, _created = RollupState.objects.select_for_update().get_or_create(name="default")
        tree = Tree()
        moved = bool(state.tree) and tree.fingerprint(state.max_unit_id) != state.tree
        if full or state.refreshed_at is None or moved:
            report.reason = "full" if full else "moved units" if moved else "first run"
            for programme_id in Programme.objects.order_by("pk").values_list("pk", flat=True):
                report.programmes[programme_id] = rebuild(programme_id, tree)
            state.full_at = now()
            if connection.vendor == "postgresql":  # fresh statistics for the planner after millions of rows
                with connection.cursor() as cursor:
                    for model in (DayCount, GapCount, PersonDay):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            since = state.watermark - margin if state.watermark else None
            changed = Initiative.objects.all() if since is None else Initiative.objects.filter(updated_at__gt=since)
            keys: dict[int, set[tuple[int, int]]] = defaultdict(set)
            ids: dict[int, list[int]] = defaultdict(list)
            for pk, programme_id, unit_id, at in changed.values_list("pk", "programme_id", "unit_id", "submitted_at"):
                keys[programme_id].add((unit_id, local_day(at)))
                ids[programme_id].append(pk)
                report.changed += 1
            counted = dict(counted_initiatives().order_by().values_list("programme_id").annotate(n=Count("id")))
            for programme_id in sorted(keys):
                if len(ids[programme_id]) > max(REBUILD_ABOVE, counted.get(programme_id, 0) // 4):
                    report.programmes[programme_id] = rebuild(programme_id, tree)  # cheaper than key by key
                    continue
                persons = {p for batch in batches(ids[programme_id]) for p in Authorship.objects.filter(
                    initiative_id__in=batch).values_list("person_id", flat=True)}
                report.programmes[programme_id] = _safely(update, programme_id, tree, keys[programme_id], persons)
            for programme_id in Programme.objects.order_by("pk").values_list("pk", flat=True):
                if counted.get(programme_id, 0) != rollup_total(programme_id, tree):
                    report.programmes[programme_id] = _safely(repair, programme_id, tree)
        state.watermark = began
        state.tree, state.max_unit_id = tree.fingerprint(tree.max_id), tree.max_id
        state.refreshed_at = now()
        report.seconds = round(time.monotonic() - started, 3)
        report.watermark = began.isoformat()
        state.last_report = report.as_dict()
        state.save()
    return report


def _safely(step: Callable[..., ProgrammeReport], programme_id: int, tree: Tree, *args: Any) -> ProgrammeReport:
    """Run an incremental step; when the stored rows turn out inconsistent, rebuild the programme."""
    try:
        with transaction.atomic():
            return step(programme_id, tree, *args)
    except Inconsistent:
        return rebuild(programme_id, tree)

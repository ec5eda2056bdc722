"""Counting initiatives per unit: the dashboards' and ``stats``' one source.

For a unit U and a programme, one row per child unit of U plus the
"unknown unit" row (initiatives attached to U itself: the member chose U and
"my unit is not listed", or gave no unit below the province — the Ninh Bình
letter's "5 sáng kiến tham gia không đăng ký đơn vị").  Every figure of a
row covers the child's whole subtree.  The counting is one grouped query on
the materialised tree path, so its cost grows with the initiatives in U's
subtree, not with the number of units.

Definitions (docs/architecture.md):
- every figure covers the *counted* initiatives only, defined once by
  ``Initiative.objects.counted()`` (``InitiativeQuerySet.counted``, also used by
  the roll-ups): initiatives marked as duplicates of another
  (``Initiative.duplicate_of``) are left out — the original is counted, once —
  and so are initiatives held as implausible (``Initiative.held_at``, issue 9
  item 8) until a reviewer of the level above releases them;
- ``submitted``: initiatives received, whatever their status;
- ``approved``: initiatives approved (được thông qua);
- ``participants``: distinct authors and co-authors;
- ``benefit_vnd``: sum of estimated yearly benefit (VND) of initiatives not
  rejected;
- ``target``: the unit's own target (chỉ tiêu) for the phase — or for the
  programme when no phase is given — else the sum of the targets set below it;
- ``pct_of_target``: ``submitted / target × 100``, one decimal (the letters'
  "1.396 sáng kiến … đạt 139,6% chỉ tiêu");
- ``rank``: standard competition rank (1, 2, 2, 4) among siblings by the
  ``rank_by`` figure, largest first; the unknown-unit row, and a unit with
  nothing in that figure, have no rank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import end_of_day, start_of_day
from sangkien.initiatives.models import (
    Authorship,
    Initiative,
    InitiativeQuerySet,
    SectorBlock,
    Status,
)
from sangkien.programmes.models import Phase, Programme, Target
from sangkien.units.access import programme_day
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RANK_FIELDS = ("submitted", "approved", "participants", "benefit_vnd", "pct_of_target")
UNKNOWN_UNIT_LABEL = _("Chưa xác định đơn vị trực thuộc")


@dataclass
class Row:
    """One line of a unit table.  ``code`` is ``None`` for the unknown-unit row."""

    code: str | None
    name: StrOrPromise  # a unit's name, or the translated label of the unknown-unit row
    unit_id: int | None = None
    kind: str = ""
    is_active: bool = True
    participants: int = 0
    submitted: int = 0
    approved: int = 0
    benefit_vnd: int = 0
    target: int | None = None
    pct_of_target: float | None = None
    rank: int | None = None
    submitted_enterprise: int = 0
    submitted_public: int = 0
    approved_enterprise: int = 0
    approved_public: int = 0
    has_children: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, *, with_rank: bool = True) -> dict[str, Any]:
        """The public shape used by ``stats --format json``."""
        keys = ["code", "name", "participants", "submitted", "approved", "benefit_vnd",
                "target", "pct_of_target"]
        if with_rank:
            keys.append("rank")
        data = asdict(self)
        out = {k: data[k] for k in keys}
        out["name"] = str(out["name"])
        out["by_sector"] = {
            "enterprise": {"submitted": self.submitted_enterprise, "approved": self.approved_enterprise},
            "public": {"submitted": self.submitted_public, "approved": self.approved_public},
        }
        return out


@dataclass
class UnitTable:
    """The table for ``unit``: its own totals and one row per child + unknown."""

    programme: Programme
    unit: Unit
    total: Row
    rows: list[Row]
    phase: Phase | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    rank_by: str = "submitted"

    @property
    def unknown(self) -> Row | None:
        return next((r for r in self.rows if r.code is None), None)


def _pct(count: int, target: int | None) -> float | None:
    if not target:
        return None
    value = (Decimal(count) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def resolve_targets(programme: Programme, phase: Phase | None, units: list[Unit], scope: Unit) -> dict[int, int | None]:
    """Targets of ``units`` (all inside ``scope``'s subtree), by unit id.

    A unit's own target wins; otherwise the sum of the top-most targets set
    below it; ``None`` when nothing below has one.  Without a phase, a
    programme-wide target (``phase`` empty) wins over the sum of phase targets.
    """
    qs = Target.objects.filter(programme=programme, unit__path__startswith=scope.path)
    if phase is not None:
        qs = qs.filter(phase=phase)
    by_path: dict[str, int] = {}
    programme_wide: dict[str, int] = {}
    for path, phase_id, value in qs.values_list("unit__path", "phase_id", "value"):
        if phase is None and phase_id is None:
            programme_wide[path] = value
        else:
            by_path[path] = by_path.get(path, 0) + value
    by_path.update(programme_wide)
    paths = sorted(by_path)
    result: dict[int, int | None] = {}
    for unit in units:
        if unit.path in by_path:
            result[unit.pk] = by_path[unit.path]
            continue
        total, covered = 0, None
        found = False
        for path in paths:
            if not path.startswith(unit.path) or path == unit.path:
                continue
            if covered is not None and path.startswith(covered):
                continue
            covered = path
            total += by_path[path]
            found = True
        result[unit.pk] = total if found else None
    return result


def _initiative_filter(*, programme: Programme, unit: Unit, phase: Phase | None,
                       date_from: dt.date | None, date_to: dt.date | None, prefix: str = "") -> Q:
    """The filter of :func:`filtered_initiatives`, for initiatives reached
    through ``prefix`` (``"initiative__"`` from authorships): a join, which
    planners handle far better than ``IN (subquery)``."""
    conditions = {
        f"{prefix}programme": programme,
        f"{prefix}unit__path__startswith": unit.path,
    }
    if phase is not None:
        conditions[f"{prefix}phase"] = phase
    if date_from is not None:
        conditions[f"{prefix}submitted_at__gte"] = start_of_day(date_from)
    if date_to is not None:
        conditions[f"{prefix}submitted_at__lt"] = end_of_day(date_to)
    return Q(**conditions) & InitiativeQuerySet.counted_filter(prefix)


def filtered_initiatives(
    *, programme: Programme, unit: Unit, phase: Phase | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None,
) -> InitiativeQuerySet:
    """Initiatives of ``programme`` in ``unit``'s subtree, optionally in a phase
    and submitted between two local dates (both included).

    Only counted initiatives (:meth:`InitiativeQuerySet.counted
    <sangkien.initiatives.models.InitiativeQuerySet.counted>`): duplicates
    are left out (a duplicated initiative counts once, as its original) and
    held ones until released.
    """
    return Initiative.objects.filter(_initiative_filter(programme=programme, unit=unit, phase=phase,
                                                        date_from=date_from, date_to=date_to))


_APPROVED = Q(status=Status.APPROVED)
#: The figures counted per group of counted initiatives (also the roll-ups' ``COUNT_FIELDS``, in this order).
COUNT_EXPRESSIONS = {
    "submitted": Count("id"),
    "approved": Count("id", filter=_APPROVED),
    "benefit_vnd": Sum("benefit_vnd", filter=~Q(status=Status.REJECTED)),
    "submitted_enterprise": Count("id", filter=Q(sector_block=SectorBlock.ENTERPRISE)),
    "submitted_public": Count("id", filter=Q(sector_block=SectorBlock.PUBLIC)),
    "approved_enterprise": Count("id", filter=_APPROVED & Q(sector_block=SectorBlock.ENTERPRISE)),
    "approved_public": Count("id", filter=_APPROVED & Q(sector_block=SectorBlock.PUBLIC)),
}


def _fill(row: Row, counts: dict[str, Any]) -> None:
    for key in COUNT_EXPRESSIONS:
        setattr(row, key, int(counts.get(key) or 0))


def existed_then(programme: Programme, units: list[Unit]) -> dict[int, bool]:
    """Unit pk → whether it existed on the programme's day (:func:`~sangkien.units.access.programme_day`).

    A programme counts on the tree as it stood during its windows (issue 11):
    a unit retired since still shows; a unit made since does not (unless
    something counts there).  Costs one query only when a unit has dates.
    """
    if all(u.is_active and u.valid_from is None for u in units):
        return {u.pk: True for u in units}
    day = programme_day(programme)
    return {u.pk: u.exists_on(day) for u in units}


def unit_table(
    *, programme: Programme, unit: Unit, phase: Phase | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None, rank_by: str = "submitted",
) -> UnitTable:
    """Count ``programme``'s initiatives for ``unit`` and each of its children.

    Dates are local (Asia/Ho_Chi_Minh) submission dates, both included.
    Rows are ordered by rank (ties by unit code); the unknown-unit row comes last
    and exists whenever ``unit`` has children.

    :raises ValueError: ``rank_by`` is not one of :data:`RANK_FIELDS`.
    """
    if rank_by not in RANK_FIELDS:
        raise ValueError(rank_by)
    base = filtered_initiatives(programme=programme, unit=unit, phase=phase,
                                date_from=date_from, date_to=date_to)
    key_len = len(unit.path) + Unit.steplen
    keyed = base.annotate(child_path=Substr("unit__path", 1, key_len))
    grouped = {r["child_path"]: r for r in keyed.order_by().values("child_path").annotate(**COUNT_EXPRESSIONS)}
    authors = Authorship.objects.filter(_initiative_filter(
        programme=programme, unit=unit, phase=phase, date_from=date_from, date_to=date_to,
        prefix="initiative__"))
    participants = {
        r["child_path"]: r["n"]
        for r in authors.annotate(child_path=Substr("initiative__unit__path", 1, key_len))
        .order_by().values("child_path").annotate(n=Count("person_id", distinct=True))
    }
    children = list(Unit.objects.get_children(unit).only("pk", "code", "name", "kind", "path", "is_active", "numchild",
                                                         "valid_from", "retired_on"))
    existed = existed_then(programme, children)
    targets = resolve_targets(programme, phase, [unit, *children], unit)

    total = Row(code=unit.code, name=unit.name, unit_id=unit.pk, kind=unit.kind,
                has_children=bool(children))
    _fill(total, base.order_by().aggregate(**COUNT_EXPRESSIONS))
    total.participants = authors.aggregate(n=Count("person_id", distinct=True))["n"] or 0
    total.target = targets.get(unit.pk)
    total.pct_of_target = _pct(total.submitted, total.target)

    rows: list[Row] = []
    for child in children:
        counts = grouped.get(child.path, {})
        if not existed[child.pk] and not counts:
            continue  # a unit that did not exist for this programme, with nothing to show
        row = Row(code=child.code, name=child.name, unit_id=child.pk, kind=child.kind,
                  is_active=existed[child.pk], has_children=child.numchild > 0)
        _fill(row, counts)
        row.participants = participants.get(child.path, 0)
        row.target = targets.get(child.pk)
        row.pct_of_target = _pct(row.submitted, row.target)
        rows.append(row)

    rank_rows(rows, rank_by)

    if children:
        unknown = Row(code=None, name=UNKNOWN_UNIT_LABEL)
        _fill(unknown, grouped.get(unit.path, {}))
        unknown.participants = participants.get(unit.path, 0)
        rows.append(unknown)
    return UnitTable(programme=programme, unit=unit, total=total, rows=rows, phase=phase,
                     date_from=date_from, date_to=date_to, rank_by=rank_by)


def programme_total(programme: Programme) -> Row:
    """What ``programme`` gathered over its organiser's whole tree: the total row of
    :func:`unit_table` (participants, submitted, approved, benefit in VND/year).
    Registered as ``initiatives.totals`` for the closed programme's page."""
    return unit_table(programme=programme, unit=programme.organiser).total


def rank_rows(rows: list[Row], rank_by: str) -> None:
    """Sort sibling rows by ``rank_by`` (largest first, ties by code) and give
    each its standard competition rank (1, 2, 2, 4), in place.

    A row with nothing in the ranked figure (0 or no value) gets no rank
    (``None``, shown "—"): a unit with no initiatives is not "2nd of 63"
    (issue 8 item 11).  Ties share a rank.
    """

    def metric(r: Row) -> float:
        value = getattr(r, rank_by)
        return -1 if value is None else value

    rows.sort(key=lambda r: (-metric(r), r.code or ""))
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        if metric(row) <= 0:
            row.rank = None
            continue
        if metric(row) != previous:
            rank, previous = index, metric(row)
        row.rank = rank


def table_as_json(table: UnitTable) -> dict[str, Any]:
    """The ``stats --format json`` document."""
    return {
        "programme": table.programme.slug,
        "phase": table.phase.number if table.phase else None,
        "from": table.date_from.isoformat() if table.date_from else None,
        "to": table.date_to.isoformat() if table.date_to else None,
        "rank_by": table.rank_by,
        "unit": table.total.as_dict(with_rank=False),
        "rows": [r.as_dict() for r in table.rows],
    }


CSV_COLUMNS = ["code", "name", "participants", "submitted", "approved", "benefit_vnd",
               "target", "pct_of_target", "rank"]

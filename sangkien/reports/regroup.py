"""A programme's figures regrouped on the tree as of another date (issue 11: ``stats --tree-as-of``, ``?cay=``).

A programme counts on the tree as it stood during its windows
(:func:`sangkien.reports.counting.unit_table`).  On request the same
initiatives are shown on the tree of date D: each initiative's unit is
followed through its successions (:class:`~sangkien.units.models.UnitSuccession`)
to the unit that carries it on D; a unit dissolved without successor hands
its initiatives to its nearest ancestor that carries on.  The rows are the
children of ``unit`` on D (the new Ninh Bình — Ninh Bình, Hà Nam, Nam Định —
is one row of TLĐ's table as of 2025-07-01).  Initiatives that end up
outside ``unit`` are left out; those that end up on ``unit`` itself make the
unknown-unit row.  Counted initiatives and the figures are defined as in
:mod:`sangkien.reports.counting`; participants are distinct per row and in
the total; targets belong to the programme's own tree and are not shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sangkien.initiatives.models import Authorship
from sangkien.programmes.models import Phase, Programme
from sangkien.reports.counting import (
    COUNT_EXPRESSIONS,
    RANK_FIELDS,
    UNKNOWN_UNIT_LABEL,
    Row,
    UnitTable,
    _initiative_filter,
    filtered_initiatives,
    rank_rows,
)
from sangkien.units.models import Unit, UnitSuccession

MAX_STEPS = 50


def carriers_on(unit_ids: set[int], day: dt.date) -> dict[int, int | None]:
    """Unit pk → pk of the unit that carries it on ``day`` (itself when it exists then), or None.

    Bulk: one query for the successions up to ``day`` and a few for the
    units along the chains; a unit dissolved without successor falls back
    to its nearest ancestor that carries on (None when none does).
    """
    links: dict[int, list[tuple[dt.date, int | None]]] = defaultdict(list)
    for pred, succ, on in (UnitSuccession.objects.filter(effective_on__lte=day)
                           .order_by("effective_on", "pk").values_list("predecessor_id", "successor_id",
                                                                      "effective_on")):
        links[pred].append((on, succ))
    info: dict[int, tuple[str, dt.date | None, dt.date | None]] = {}

    def load(ids: set[int]) -> None:
        missing = ids - info.keys()
        if missing:
            for pk, path, valid_from, retired_on in Unit.objects.filter(pk__in=missing).values_list(
                    "pk", "path", "valid_from", "retired_on"):
                info[pk] = (path, valid_from, retired_on)

    def exists(pk: int) -> bool:
        _path, valid_from, retired_on = info[pk]
        return (valid_from is None or valid_from <= day) and (retired_on is None or retired_on > day)

    load(set(unit_ids))
    result: dict[int, int | None] = {}
    pending = {pk: pk for pk in unit_ids}  # start → current
    for _step in range(MAX_STEPS):
        if not pending:
            break
        load({pk for pk in pending.values() if pk is not None})
        following: dict[int, int] = {}
        for start, current in pending.items():
            if exists(current) or info[current][2] is None:
                result[start] = current
            elif links.get(current) and links[current][0][1] is not None:
                following[start] = links[current][0][1]  # type: ignore[assignment]
            else:
                result[start] = None  # dissolved: resolved below through its ancestors
        pending = following
    for start in pending:
        result[start] = None
    orphans = [pk for pk, carrier in result.items() if carrier is None]
    if orphans:
        parents: dict[int, int] = {}
        parent_paths: dict[str, list[int]] = defaultdict(list)
        for pk in orphans:
            if len(info[pk][0]) > Unit.steplen:
                parent_paths[info[pk][0][:-Unit.steplen]].append(pk)
        for parent_pk, path in Unit.objects.filter(path__in=list(parent_paths)).values_list("pk", "path"):
            for pk in parent_paths[path]:
                parents[pk] = parent_pk
        if parents:
            above = carriers_on(set(parents.values()), day)
            for pk, parent in parents.items():
                result[pk] = above.get(parent)
    return result


def regrouped_table(*, programme: Programme, unit: Unit, tree_as_of: dt.date, phase: Phase | None = None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    rank_by: str = "submitted") -> UnitTable:
    """``programme``'s figures on the tree as of ``tree_as_of``, for ``unit`` (a unit of that tree).

    Same shape as :func:`~sangkien.reports.counting.unit_table` (rows: the
    children of ``unit`` on that date, ranked, then the unknown-unit row);
    ``target`` is left empty.

    :raises ValueError: ``rank_by`` is not one of ``RANK_FIELDS``.
    """
    if rank_by not in RANK_FIELDS:
        raise ValueError(rank_by)
    organiser = programme.organiser
    base = filtered_initiatives(programme=programme, unit=organiser, phase=phase, date_from=date_from,
                                date_to=date_to)
    per_unit = {r["unit_id"]: r for r in base.order_by().values("unit_id").annotate(**COUNT_EXPRESSIONS)}
    authors = (Authorship.objects.filter(_initiative_filter(programme=programme, unit=organiser, phase=phase,
                                                            date_from=date_from, date_to=date_to,
                                                            prefix="initiative__"))
               .order_by().values_list("initiative__unit_id", "person_id").distinct())
    carriers = carriers_on(set(per_unit), tree_as_of)
    paths = dict(Unit.objects.filter(pk__in={c for c in carriers.values() if c}).values_list("pk", "path"))
    key_len = len(unit.path) + Unit.steplen

    def key(unit_id: int) -> str | None:
        """The regrouped row's path (``unit.path`` for the unknown row), or None: outside ``unit``."""
        carrier = carriers.get(unit_id)
        path = paths.get(carrier) if carrier else None
        if path is None or not path.startswith(unit.path):
            return None
        key_path: str = path[:key_len]
        return key_path

    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    people: dict[str, set[int]] = defaultdict(set)
    for unit_id, counts in per_unit.items():
        row_key = key(unit_id)
        if row_key is None:
            continue
        for name in COUNT_EXPRESSIONS:
            sums[row_key][name] += int(counts.get(name) or 0)
    for unit_id, person_id in authors:
        row_key = key(unit_id)
        if row_key is not None:
            people[row_key].add(person_id)

    children = list(Unit.objects.get_children(unit).as_of(tree_as_of))
    total = Row(code=unit.code, name=unit.name, unit_id=unit.pk, kind=unit.kind, has_children=bool(children))
    _fill(total, _add_up(sums.values()))
    total.participants = len(set().union(*people.values())) if people else 0
    rows: list[Row] = []
    for child in children:
        row = Row(code=child.code, name=child.name, unit_id=child.pk, kind=child.kind,
                  has_children=child.numchild > 0)
        _fill(row, sums.get(child.path, {}))
        row.participants = len(people.get(child.path, ()))
        rows.append(row)
    rank_rows(rows, rank_by)
    if children:
        unknown = Row(code=None, name=UNKNOWN_UNIT_LABEL)
        _fill(unknown, sums.get(unit.path, {}))
        unknown.participants = len(people.get(unit.path, ()))
        rows.append(unknown)
    return UnitTable(programme=programme, unit=unit, total=total, rows=rows, phase=phase, date_from=date_from,
                     date_to=date_to, rank_by=rank_by)


def _add_up(groups: Any) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for group in groups:
        for name, value in group.items():
            out[name] += value
    return out


def _fill(row: Row, counts: dict[str, int]) -> None:
    for name in COUNT_EXPRESSIONS:
        setattr(row, name, int(counts.get(name) or 0))

"""The province → upper-level union → grassroots union chooser.

A chooser is a list of levels, each a ``<select>`` of the children of the
unit chosen one level up, ending with a "my unit is not listed" choice.
Built server-side so it works without JavaScript; htmx swaps one level when
the level above changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from sangkien.core.text import fold
from sangkien.units.models import Unit
from sangkien.units.names import matches_search

UNLISTED = "__unlisted__"
MAX_LEVELS = 4
OPTION_LIMIT = 300


@dataclass
class Level:
    """One ``<select>``: the children of ``parent`` (``options`` as (code, name))."""

    number: int
    parent: Unit
    label: str
    options: list[tuple[str, str]]
    selected: str = ""
    query: str = ""
    truncated: bool = False
    searchable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    unit: Unit | None = None  # the chosen child, when ``selected`` is one


def level_label(parent: Unit, number: int) -> str:
    if number == 1:
        return str(_("Tỉnh, thành phố hoặc công đoàn ngành Trung ương"))
    if number == 2:
        return str(_("Công đoàn cấp trên trực tiếp cơ sở"))
    return str(_("Công đoàn cơ sở"))


def children_options(parent: Unit, query: str = "") -> tuple[list[tuple[str, str]], bool]:
    """Active children of ``parent`` matching ``query``: accents optional, and names as people type
    them (``units.names.matches_search``: "TP Tam Điệp", "CĐ Viên chức", words in any order).

    Returns ``(options, truncated)``: up to ``OPTION_LIMIT`` ``(code, name)`` pairs by name, and
    whether more matched.  The children are treebeard's interval on the ``(depth, path)`` index;
    ``path LIKE 'p%'`` read every unit on SQLite, 8.5 ms for a district's list at the national size
    (docs/benchmarks.md, "Unit chooser at the national size"; issue 12 round 8).
    """
    qs = Unit.objects.get_children(parent).filter(is_active=True)
    rows = list(qs.order_by("name").values_list("code", "name"))
    if query:
        needle = fold(query)
        rows = [r for r in rows
                if needle in fold(r[1]) or needle in r[0].lower() or matches_search(query, r[1], r[0])]
    return rows[:OPTION_LIMIT], len(rows) > OPTION_LIMIT


def _without_nul(codes: list[str]) -> list[str]:
    """``codes`` with any value holding a NUL character emptied (no unit code has one; PostgreSQL refuses it
    in a query: a posted ``unit_1=%00`` was a 500)."""
    return ["" if "\x00" in code else code for code in codes]


def build_levels(root: Unit, selected: list[str], queries: dict[int, str] | None = None,
                 known: Sequence[Unit] = ()) -> list[Level]:
    """Levels for the codes chosen so far (``selected[0]`` is level 1).

    ``known``: units the caller already holds (a preselected unit's lineage): a chosen code found
    among them, right below the level above, is not looked up again.
    """
    queries = queries or {}
    selected = _without_nul(selected)
    levels: list[Level] = []
    parent = root
    for number in range(1, MAX_LEVELS + 1):
        if parent.numchild == 0:
            break
        query = queries.get(number, "")
        options, truncated = children_options(parent, query)
        if not options and not query:
            break
        chosen = selected[number - 1] if len(selected) >= number else ""
        levels.append(Level(number=number, parent=parent, label=level_label(parent, number),
                            options=options, selected=chosen, query=query, truncated=truncated,
                            searchable=number >= 2))
        if not chosen or chosen == UNLISTED:
            break
        child = next((u for u in known if u.code == chosen and u.depth == parent.depth + 1
                      and u.path.startswith(parent.path)), None)
        if child is None:
            child = Unit.objects.get_children(parent).filter(code=chosen).first()
        if child is None:
            levels[-1].selected = ""
            break
        levels[-1].unit = child
        parent = child
    return levels


def codes_for(unit: Unit, root: Unit, lineage: list[Unit] | None = None) -> list[str]:
    """The chooser's selected codes for a preselected ``unit`` (below ``root``); ``lineage``:
    ``unit.lineage()`` when the caller already has it."""
    return [u.code for u in (unit.lineage() if lineage is None else lineage) if u.depth > root.depth]


def _root_and_chosen(codes: list[str]) -> list[Unit]:
    """The tree's first root and the active units holding ``codes``, in path order: one statement.

    Written as SQL (``Unit.objects.raw``, which still converts each column as the ORM does) because
    it runs on every submission: building it through the ORM — an ``OR`` of a subquery and an
    ``IN`` — cost ten times the statement itself (0.42 against 0.09 ms of CPU a call, issue 12
    round 10).  The first root is the unit with the smallest path (see :func:`resolve_choice`).
    """
    meta = Unit._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in meta.concrete_fields)
    chosen = f" OR (code IN ({', '.join(['%s'] * len(codes))}) AND is_active)" if codes else ""
    return list(Unit.objects.raw(
        f"SELECT {columns} FROM {table} WHERE path = (SELECT r.path FROM {table} r ORDER BY r.path LIMIT 1)"  # noqa: S608  # names from the model, values as parameters
        f"{chosen} ORDER BY path", codes))


def resolve_choice(root: Unit | None, selected: list[str]) -> tuple[Unit | None, bool, str]:
    """Turn chosen codes into ``(unit, unlisted, error)``.

    The choice must end on a unit without children (a grassroots union) or
    on "not listed" below a chosen unit; ``error`` is a translated message.
    ``root``: the chooser's top unit, or ``None`` for the tree's first root
    (the national federation), then read in the same query as the chosen units.
    One query for the chosen units, and one more only when the last has children.
    """
    selected = _without_nul(selected)
    wanted = {code for code in selected if code and code != UNLISTED}
    # The whole chain in one query: the active units holding the chosen codes below ``root``
    # (a code names one active unit; each level is then checked against the one above).
    if root is None:
        # The first root is the unit with the smallest path (UnitManager.get_first_root_node): an
        # equality on the path's index, where "depth = 1" read every unit (no index on depth;
        # ~140,000 units at the national size: 15 ms of PostgreSQL a POST; issue 12 round 7).
        rows = _root_and_chosen(sorted(wanted))
        root = next((u for u in rows if u.depth == 1), None)
        if root is None:
            return None, False, str(_("Hãy chọn tỉnh, thành phố của bạn."))
        candidates = [u for u in rows if u.code in wanted and u.is_active and u.depth > root.depth
                      and u.path.startswith(root.path)]
    else:
        candidates = list(Unit.objects.filter(code__in=wanted, path__startswith=root.path, depth__gt=root.depth,
                                              is_active=True).order_by("path")) if wanted else []
    parent = root
    for index, code in enumerate(selected):
        if code == UNLISTED:
            if parent == root:
                return None, False, str(_("Hãy chọn tỉnh, thành phố của bạn."))
            return parent, True, ""
        if not code:
            break
        child = next((u for u in candidates if u.code == code and u.depth == parent.depth + 1
                      and u.path.startswith(parent.path)), None)
        if child is None:
            return None, False, str(_("Đơn vị đã chọn không còn trong danh sách; hãy chọn lại."))
        parent = child
        if index == len(selected) - 1:
            break
    if parent == root:
        return None, False, str(_("Hãy chọn tỉnh, thành phố của bạn."))
    # ``numchild`` counts every child, active or not: none at all needs no query (a grassroots union).
    if parent.numchild and Unit.objects.get_children(parent).filter(is_active=True).exists():
        return None, False, str(_("Hãy chọn tiếp đơn vị cấp dưới, hoặc “Đơn vị của tôi không có trong danh sách”."))
    return parent, False, ""


@dataclass(frozen=True)
class Destination:
    """What the "Bạn đang gửi cho: …" line above the send button shows (issue 11, "Confirm the unit").

    ``unit`` is the chosen unit (None: nothing chosen yet); with ``unlisted``
    the member's own unit is "not listed" below ``unit``.  ``above`` are the
    names of the units above ``unit``, nearest first, up to the provincial
    federation (the national root is left out).  ``change`` is the id of the
    control the "change" link focuses ("" when there is nothing to change).
    """

    unit: Unit | None
    above: list[str]
    unlisted: bool = False
    change: str = ""

    @property
    def above_text(self) -> str:
        """``"LĐLĐ huyện Yên Khánh, LĐLĐ tỉnh Ninh Bình"``."""
        return ", ".join(self.above)


def names_above(units: list[Unit]) -> dict[int, list[str]]:
    """For each unit (by pk) the names of the units above it, nearest first, root left out; one query."""
    prefixes = {u.path[:end] for u in units for end in range(Unit.steplen * 2, len(u.path), Unit.steplen)}
    names = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "name"))
    return {u.pk: [names[u.path[:end]] for end in range(len(u.path) - Unit.steplen, Unit.steplen, -Unit.steplen)
                   if u.path[:end] in names]
            for u in units}


def destination(levels: list[Level]) -> Destination:
    """The chooser's :class:`Destination` for the levels chosen so far (no query: the levels hold the units)."""
    change = f"id_unit_{2 if len(levels) >= 2 else 1}" if levels else ""
    chosen = [lv.unit for lv in levels if lv.unit is not None]
    if not chosen:
        return Destination(unit=None, above=[], change=change)
    unlisted = any(lv.selected == UNLISTED for lv in levels)
    above = [u.name for u in reversed(chosen[:-1])]
    return Destination(unit=chosen[-1], above=above, unlisted=unlisted, change=change)

"""Changes to single units: rename, move, merge, retire.

Each function takes keyword arguments only, runs in one transaction and
writes one audit row (``log_action``).  ``actor`` is the user doing it, or
``None`` for a command.  Initiatives are never deleted or re-pointed: they
keep their ``unit``; since a merged unit becomes a retired child of the unit
it joined, they keep counting in the new unit's subtree.  Rules refused
raise :class:`django.core.exceptions.ValidationError` with a translated
message and a ``code``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.clock import local_now
from sangkien.core.models import log_action
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def _parent_code(unit: Unit) -> str | None:
    parent = Unit.objects.get_parent(unit, update=True)
    return parent.code if parent else None


def _fresh(unit: Unit) -> Unit:
    """The unit as stored now (tree fields change under the caller's feet)."""
    return Unit.objects.select_for_update().get(pk=unit.pk)


def _save(unit: Unit, fields: list[str], actor: User) -> None:
    """Save ``fields``; the history row names ``actor``."""
    unit._history_user = actor if getattr(actor, "is_authenticated", False) else None
    unit.save(update_fields=fields)


def _move_under(unit: Unit, parent: Unit | None) -> None:
    """Move ``unit`` (and its subtree) to its sorted place under ``parent`` (``None``: a root)."""
    if parent is None:
        Unit.objects.move(unit, Unit.objects.get_first_root_node(), "sorted-sibling")
    else:
        Unit.objects.move(unit, parent, "sorted-child")
    unit.refresh_from_db()


@transaction.atomic
def rename_unit(*, unit: Unit, name: str, actor: User) -> Unit:
    """Give ``unit`` a new ``name``; returns the unit (refreshed).

    Audit action ``unit.renamed`` with ``old_name``/``new_name``; nothing is
    written when the name is unchanged.  Raises ``ValidationError``
    (code ``empty_name``) for an empty name.
    """
    unit = _fresh(unit)
    name = name.strip()
    if not name:
        raise ValidationError(_("Tên đơn vị không được để trống."), code="empty_name")
    if len(name) > cast(int, Unit._meta.get_field("name").max_length):  # a CharField's is set
        raise ValidationError(_("Tên đơn vị quá dài."), code="name_too_long")
    if name == unit.name:
        return unit
    old_name, unit.name = unit.name, name
    _save(unit, ["name"], actor)
    log_action(actor=actor, action="unit.renamed", obj=unit, unit=unit, old_name=old_name, new_name=name)
    return unit


@transaction.atomic
def move_unit(*, unit: Unit, new_parent: Unit | None, actor: User) -> Unit:
    """Move ``unit`` and everything below it under ``new_parent`` (``None``: make it a root).

    Returns the unit (refreshed).  Audit action ``unit.moved`` with
    ``from_parent``/``to_parent`` codes; nothing is written when it is
    already there.  Raises ``ValidationError`` with code ``move_into_subtree``
    when ``new_parent`` is the unit or lies below it, ``parent_retired`` when
    ``new_parent`` is no longer active.
    """
    unit = _fresh(unit)
    new_parent = _fresh(new_parent) if new_parent is not None else None
    if new_parent is not None and unit.contains(new_parent):
        raise ValidationError(
            _("Không thể chuyển đơn vị %(unit)s vào chính nó hoặc một đơn vị trực thuộc nó (%(parent)s).")
            % {"unit": unit.name, "parent": new_parent.name},
            code="move_into_subtree",
        )
    if new_parent is not None and not new_parent.is_active:
        raise ValidationError(
            _("Không thể chuyển vào đơn vị %(parent)s vì đơn vị này đã ngừng hoạt động.")
            % {"parent": new_parent.name},
            code="parent_retired",
        )
    old_parent_code = _parent_code(unit)
    new_parent_code = new_parent.code if new_parent else None
    if old_parent_code == new_parent_code:
        return unit
    _move_under(unit, new_parent)
    log_action(actor=actor, action="unit.moved", obj=unit, unit=unit,
               from_parent=old_parent_code, to_parent=new_parent_code)
    return unit


@transaction.atomic
def merge_units(*, source: Unit, target: Unit, actor: User, on: dt.date | None = None) -> Unit:
    """Merge ``source`` into ``target`` (sáp nhập, as in the 2025 reorganisation).

    ``source``'s children (with their subtrees) move under ``target``; then
    ``source`` is marked ``is_active=False``, ``retired_on=on`` (default:
    today, local date), ``merged_into=target`` and becomes a child of
    ``target``.  Initiatives on ``source`` keep their ``unit`` and so count
    in ``target``'s subtree.  Returns ``source`` (refreshed).  Audit action
    ``unit.merged`` on ``source`` with ``target``, ``children_moved`` (codes),
    ``from_parent`` and ``retired_on``.

    Raises ``ValidationError`` with code ``merge_into_itself`` when
    ``target`` is ``source`` or lies below it, ``source_retired`` when
    ``source`` is already retired, ``target_retired`` when ``target`` is.
    """
    source, target = _fresh(source), _fresh(target)
    if source.contains(target):
        raise ValidationError(
            _("Không thể sáp nhập đơn vị %(source)s vào chính nó hoặc một đơn vị trực thuộc nó (%(target)s).")
            % {"source": source.name, "target": target.name},
            code="merge_into_itself",
        )
    if not source.is_active:
        raise ValidationError(_("Đơn vị %(source)s đã ngừng hoạt động, không thể sáp nhập.")
                              % {"source": source.name}, code="source_retired")
    if not target.is_active:
        raise ValidationError(_("Không thể sáp nhập vào đơn vị %(target)s vì đơn vị này đã ngừng hoạt động.")
                              % {"target": target.name}, code="target_retired")
    from_parent = _parent_code(source)
    children = list(Unit.objects.get_children(source).values_list("pk", flat=True))
    moved = []
    for pk in children:
        child = Unit.objects.get(pk=pk)
        _move_under(child, target)
        moved.append(child.code)
    source.refresh_from_db()
    source.is_active = False
    source.retired_on = on or local_now().date()
    source.merged_into = target
    _save(source, ["is_active", "retired_on", "merged_into"], actor)
    target.refresh_from_db()
    if from_parent != target.code:
        _move_under(source, target)
    log_action(actor=actor, action="unit.merged", obj=source, unit=source, target=target.code,
               children_moved=moved, from_parent=from_parent, retired_on=source.retired_on.isoformat())
    return source


@transaction.atomic
def retire_unit(*, unit: Unit, actor: User, on: dt.date | None = None) -> Unit:
    """Mark ``unit`` as no longer active (giải thể) from ``on`` (default: today, local date).

    The unit stays in the tree with its initiatives.  Returns it (refreshed).
    Audit action ``unit.retired`` with ``retired_on``.  Raises
    ``ValidationError`` with code ``already_retired`` when it is already
    inactive, ``has_active_units`` when an active unit remains below it
    (merge or retire those first).
    """
    unit = _fresh(unit)
    if not unit.is_active:
        raise ValidationError(_("Đơn vị %(unit)s đã ngừng hoạt động.") % {"unit": unit.name},
                              code="already_retired")
    active_below = unit.subtree().exclude(pk=unit.pk).filter(is_active=True).count()
    if active_below:
        raise ValidationError(
            _("Không thể giải thể đơn vị %(unit)s: còn %(count)s đơn vị trực thuộc đang hoạt động.")
            % {"unit": unit.name, "count": active_below},
            code="has_active_units",
        )
    unit.is_active = False
    unit.retired_on = on or local_now().date()
    _save(unit, ["is_active", "retired_on"], actor)
    log_action(actor=actor, action="unit.retired", obj=unit, unit=unit, retired_on=unit.retired_on.isoformat())
    return unit

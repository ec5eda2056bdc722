"""Changes to single units: rename, move, merge, retire.

Each function takes keyword arguments only, runs in one transaction and is
audited (``log_action``).  ``actor`` is the user doing it, or ``None`` for a
command.  A change with an effective date goes through the reorganisation
service (:mod:`sangkien.units.reorganisation`, a one-row plan): the old row
is retired on that date, its successor row is created and linked, and the
past is not rewritten: initiatives keep their ``unit`` and count where they
counted (issue 11).  ``rename_unit`` and ``move_unit`` without a date are
corrections (the unit was always so): the row itself changes.  Rules
refused raise :class:`django.core.exceptions.ValidationError` with a
translated message and a ``code``.
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
from sangkien.units.reorganisation import PlanRefused, PlanRow, apply_plan

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def _parent_code(unit: Unit) -> str | None:
    parent = Unit.objects.get_parent(unit, update=True)
    return parent.code if parent else None


def _fresh(unit: Unit) -> Unit:
    """The unit as stored now (tree fields change under the caller's feet)."""
    fresh: Unit = Unit.objects.select_for_update().get(pk=unit.pk)
    return fresh


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


def _one_row(row: PlanRow, actor: User, reasons: dict[str, str]) -> Unit | None:
    """Apply a one-row plan; returns the successor row (None for a dissolution).

    Refused rows become ``ValidationError`` with the row's message and its
    reason mapped through ``reasons`` (the codes these services always raised).
    """
    try:
        preview = apply_plan(rows=[row], actor=actor)
    except PlanRefused as refused:
        error = refused.preview.errors[0]
        raise ValidationError(error.message, code=reasons.get(error.reason, error.reason or "refused")) from None
    change = preview.changes[0]
    return Unit.objects.by_code(change.new_code, on=row.effective_on) if change.new_code else None


@transaction.atomic
def rename_unit(*, unit: Unit, name: str, actor: User, on: dt.date | None = None) -> Unit:
    """Give ``unit`` a new ``name``; returns the unit (refreshed), or its successor row when ``on`` is given.

    Without ``on`` it is a correction: the row is renamed (audit action
    ``unit.renamed`` with ``old_name``/``new_name``; nothing is written when
    the name is unchanged).  With ``on`` the unit is renamed from that date
    (a ``rename`` succession).  Raises ``ValidationError`` (code
    ``empty_name``) for an empty name, ``name_too_long``, or a refused
    plan row's reason.
    """
    unit = _fresh(unit)
    name = name.strip()
    if not name:
        raise ValidationError(_("Tên đơn vị không được để trống."), code="empty_name")
    if len(name) > cast(int, Unit._meta.get_field("name").max_length):  # a CharField's is set
        raise ValidationError(_("Tên đơn vị quá dài."), code="name_too_long")
    if name == unit.name:
        return unit
    if on is not None:
        new = _one_row(PlanRow(code=unit.code, action="rename", effective_on=on, new_name=name), actor, {})
        assert new is not None
        return new
    old_name, unit.name = unit.name, name
    _save(unit, ["name"], actor)
    log_action(actor=actor, action="unit.renamed", obj=unit, unit=unit, old_name=old_name, new_name=name)
    return unit


@transaction.atomic
def move_unit(*, unit: Unit, new_parent: Unit | None, actor: User, on: dt.date | None = None) -> Unit:
    """Move ``unit`` and everything below it under ``new_parent`` (``None``: make it a root).

    With ``on``, the unit moves from that date: a new row under
    ``new_parent`` (its subtree comes along as new rows), the old one retired
    and kept in place; returns the new row.  Without ``on`` it is a
    correction (the unit was always there): returns the unit (refreshed).
    Audit action ``unit.moved`` with
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
    if on is not None:
        new = _one_row(PlanRow(code=unit.code, action="move", effective_on=on, new_parent_code=new_parent_code),
                       actor, {"target_not_found": "parent_retired"})
        assert new is not None
        return new
    _move_under(unit, new_parent)
    log_action(actor=actor, action="unit.moved", obj=unit, unit=unit,
               from_parent=old_parent_code, to_parent=new_parent_code)
    return unit


@transaction.atomic
def merge_units(*, source: Unit, target: Unit, actor: User, on: dt.date | None = None) -> Unit:
    """Merge ``source`` into ``target`` from ``on`` (sáp nhập; default: today, local date).

    A one-row plan (:mod:`sangkien.units.reorganisation`): ``source`` is
    retired on ``on`` with ``merged_into=target`` and a ``merge``
    succession, and stays in its place, so what was sent to it counts where
    it counted; the units below it come along under ``target`` as new rows.
    Returns ``source`` (refreshed).  Audit action ``unit.merged`` on
    ``source`` with ``successor`` and ``effective_on``.

    Raises ``ValidationError`` with code ``merge_into_itself`` when
    ``target`` is ``source`` or lies below it, ``source_retired`` when
    ``source`` no longer exists, ``target_retired`` when ``target`` does not
    exist on ``on``.
    """
    on = on or local_now().date()
    source, target = _fresh(source), _fresh(target)
    if source.contains(target):
        raise ValidationError(
            _("Không thể sáp nhập đơn vị %(source)s vào chính nó hoặc một đơn vị trực thuộc nó (%(target)s).")
            % {"source": source.name, "target": target.name},
            code="merge_into_itself",
        )
    if not source.is_active or not source.exists_on(on - dt.timedelta(days=1)):
        raise ValidationError(_("Đơn vị %(source)s đã ngừng hoạt động, không thể sáp nhập.")
                              % {"source": source.name}, code="source_retired")
    if not target.is_active or not target.exists_on(on):
        raise ValidationError(_("Không thể sáp nhập vào đơn vị %(target)s vì đơn vị này đã ngừng hoạt động.")
                              % {"target": target.name}, code="target_retired")
    _one_row(PlanRow(code=source.code, action="merge", effective_on=on, merge_into_code=target.code), actor,
             {"target_not_found": "target_retired", "retired": "source_retired"})
    source.refresh_from_db()
    return source


@transaction.atomic
def retire_unit(*, unit: Unit, actor: User, on: dt.date | None = None) -> Unit:
    """Dissolve ``unit`` (giải thể) from ``on`` (default: today, local date).

    A one-row plan: the unit is retired (``retired_on=on``, a ``dissolve``
    succession without successor) and stays in the tree with its
    initiatives.  Returns it (refreshed).  Audit action ``unit.retired``.
    Raises ``ValidationError`` with code ``already_retired`` when it no
    longer exists, ``has_active_units`` when a unit remains below it (merge,
    move or retire those first).
    """
    on = on or local_now().date()
    unit = _fresh(unit)
    if not unit.is_active or not unit.exists_on(on - dt.timedelta(days=1)):
        raise ValidationError(_("Đơn vị %(unit)s đã ngừng hoạt động.") % {"unit": unit.name},
                              code="already_retired")
    _one_row(PlanRow(code=unit.code, action="dissolve", effective_on=on), actor, {"retired": "already_retired"})
    unit.refresh_from_db()
    return unit

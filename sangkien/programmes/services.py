"""Use cases on programmes: targets (chỉ tiêu)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.exceptions import NotAllowed
from sangkien.core.models import log_action
from sangkien.programmes.models import Phase, Programme, Target
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def set_targets(*, programme: Programme, phase: Phase | None, unit: Unit,
                values: dict[int, int | None], actor: User) -> int:
    """Set the targets of ``unit`` and its children for ``phase`` (or the
    whole programme when ``phase`` is None).

    ``values`` maps unit id → number of initiatives, ``None`` to remove a
    target.  Every unit must be ``unit`` itself or one of its children.
    Returns the number of targets changed.

    :raises NotAllowed: ``actor`` does not administer ``unit``, or a unit is
        not ``unit`` or a child of it.
    """
    if not actor.has_perm("units.manage", unit):
        raise NotAllowed(_("Bạn không có quyền giao chỉ tiêu cho đơn vị này."))
    allowed = {unit.pk, *Unit.objects.get_children(unit).values_list("pk", flat=True)}
    if not set(values) <= allowed:
        raise NotAllowed(_("Chỉ giao chỉ tiêu cho đơn vị mình và các đơn vị trực thuộc."))
    changed = 0
    with transaction.atomic():
        current = {t.unit_id: t for t in Target.objects.filter(programme=programme, phase=phase, unit_id__in=values)}
        for unit_id, value in values.items():
            target = current.get(unit_id)
            if value is None:
                if target is not None:
                    target.delete()
                    changed += 1
                continue
            if target is None:
                Target.objects.create(programme=programme, phase=phase, unit_id=unit_id, value=value)
                changed += 1
            elif target.value != value:
                target.value = value
                target.save(update_fields=["value"])
                changed += 1
        if changed:
            log_action(actor=actor, action="targets.set", obj=programme, unit=unit,
                       phase=phase.number if phase else None,
                       values={str(k): v for k, v in values.items()})
    return changed


@transaction.atomic
def save_programme(*, programme: Programme, changed: list[str], actor: User) -> Programme:
    """Create ``programme`` (no pk yet) or save its ``changed`` fields: the
    admin's programme form, the one place programmes are set up.

    Audit action ``programme.created`` or ``programme.changed`` with the
    changed field names; nothing is written for a change with no field
    changed.  The caller has validated the fields (a model form).  Returns the
    programme.
    """
    created = programme.pk is None
    if not created and not changed:
        return programme
    programme.save()
    log_action(actor=actor, action="programme.created" if created else "programme.changed", obj=programme,
               unit=programme.organiser, fields=sorted(changed))
    return programme


@transaction.atomic
def save_phase(*, phase: Phase, changed: list[str], actor: User) -> Phase:
    """Create ``phase`` (no pk yet) or save its ``changed`` fields (windows as
    data: submission and effect dates), as :func:`save_programme` does.

    Audit action ``phase.created`` or ``phase.changed`` on the phase's
    programme with the phase's number and the changed field names.  Returns
    the phase.
    """
    created = phase.pk is None
    if not created and not changed:
        return phase
    phase.save()
    log_action(actor=actor, action="phase.created" if created else "phase.changed", obj=phase.programme,
               unit=phase.programme.organiser, phase=phase.number, fields=sorted(changed))
    return phase


@transaction.atomic
def delete_phase(*, phase: Phase, actor: User) -> None:
    """Delete ``phase`` (audit action ``phase.deleted`` on its programme).

    :raises django.db.models.ProtectedError: initiatives were submitted in it.
    """
    programme = phase.programme
    log_action(actor=actor, action="phase.deleted", obj=programme, unit=programme.organiser, phase=phase.number)
    phase.delete()

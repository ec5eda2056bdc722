"""Granting and revoking roles, by unit administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.exceptions import NotAllowed
from sangkien.core.models import log_action
from sangkien.roles.capabilities import GRANT_NEEDS, roles_with
from sangkien.roles.models import RoleAssignment
from sangkien.roles.scope import clear_cache
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def grant_role(*, user: User, unit: Unit, role: str, actor: User) -> RoleAssignment:
    """Give ``user`` ``role`` on ``unit`` (reaching its subtree).

    :raises NotAllowed: ``actor`` does not administer ``unit``, or tries to
        grant the organising committee (only the national administrators can).
    """
    if not actor.has_perm("roles.grant", unit):
        raise NotAllowed(_("Bạn không có quyền phân quyền cho đơn vị này."))
    needs = GRANT_NEEDS.get(role)
    if needs is not None and (unit.depth != 1 or not actor.roles.filter(role__in=roles_with(needs)).exists()):
        raise NotAllowed(_("Chỉ Ban tổ chức mới giao được vai trò Ban tổ chức."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, unit=unit, role=role, defaults={"granted_by": actor})
        if created:
            log_action(actor=actor, action="role.granted", obj=assignment, unit=unit, role=role, user=user.pk)
    clear_cache(user)
    return assignment


def revoke_role(*, assignment: RoleAssignment, actor: User) -> None:
    """Remove a role assignment.

    :raises NotAllowed: ``actor`` does not administer the assignment's unit.
    """
    if not actor.has_perm("roles.grant", assignment.unit):
        raise NotAllowed(_("Bạn không có quyền phân quyền cho đơn vị này."))
    with transaction.atomic():
        log_action(actor=actor, action="role.revoked", obj=assignment, unit=assignment.unit,
                   role=assignment.role, user=assignment.user_id)
        assignment.delete()
    clear_cache(assignment.user)

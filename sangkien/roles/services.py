"""Granting and revoking roles, by unit administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.exceptions import NotAllowed
from sangkien.core.models import log_action
from sangkien.roles.capabilities import GRANT_NEEDS, roles_with
from sangkien.roles.models import Role, RoleAssignment
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


def appoint_organising_committee(*, user: User, unit: Unit) -> RoleAssignment:
    """Give ``user`` the organising committee role (Ban tổ chức) on the national unit, from the
    server's command line (``manage.py appoint_committee``).

    How the first committee member of a new installation is appointed: the admin never
    writes roles and :func:`grant_role` needs a committee member as ``actor``.  Whoever
    runs a command on the server is trusted already; the audit row (actor empty, action
    ``role.appointed_from_command_line``) says it came from there.  Idempotent.

    :raises NotAllowed: ``unit`` is not the national unit (the root of the tree), or it
        no longer exists.
    """
    if unit.depth != 1 or not unit.is_active:
        raise NotAllowed(_("Vai trò Ban tổ chức chỉ giao ở đơn vị cấp toàn quốc."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, unit=unit, role=Role.ORGANISING_COMMITTEE, defaults={"granted_by": None})
        if created:
            log_action(actor=None, action="role.appointed_from_command_line", obj=assignment, unit=unit,
                       role=Role.ORGANISING_COMMITTEE, user=user.pk)
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

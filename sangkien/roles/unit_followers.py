"""Roles follow a unit through a reorganisation (issue 11; hook of ``units.reorganisation``).

A moved or renamed unit's roles are granted again on its new row; the
assignment on the old row stays, so the officer still reaches what was sent
to the old row.  On a merge, a split or a dissolution nothing is granted:
the roles are listed for reassignment (the officers of a merged unit would
otherwise hold the whole successor), never dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sangkien.core.models import log_action
from sangkien.roles.models import RoleAssignment
from sangkien.units.models import Unit
from sangkien.units.reorganisation import FollowItem

if TYPE_CHECKING:
    from sangkien.accounts.models import User

FOLLOWING_KINDS = frozenset({"move", "rename"})


def follow_roles(old: Unit, new: Unit | None, kind: str, actor: User) -> list[FollowItem]:
    """Grant ``old``'s roles on ``new`` for a move/rename; list them for reassignment otherwise."""
    items = []
    for assignment in RoleAssignment.objects.filter(unit=old).select_related("user").order_by("pk"):
        label = f"{assignment.user.display_name} — {assignment.get_role_display()}"
        if new is None or kind not in FOLLOWING_KINDS:
            items.append(FollowItem("role", label, old.name, ""))
            continue
        copy, created = RoleAssignment.objects.get_or_create(
            user=assignment.user, unit=new, role=assignment.role, defaults={"granted_by": assignment.granted_by})
        if created:
            log_action(actor=actor, action="role.followed_unit", obj=copy, unit=new, from_unit=old.code,
                       role=assignment.role, user=assignment.user_id)
        items.append(FollowItem("role", label, old.name, new.name))
    return items

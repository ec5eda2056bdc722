"""Reads of ``roles`` that depend on who asks: units and role assignments in a user's scope.

NetBox's ``restrict(user, action)``: each app's ``access.py`` offers ``restrict_<models>(user,
action)``, the rows ``user`` may do ``action`` on, built on :func:`sangkien.roles.scope.scope_filter`
with the roles :mod:`sangkien.roles.capabilities` gives the action.  Units sit below ``roles``,
so the unit-scoped queryset lives here (``units.access`` keeps the user-free getters).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from sangkien.roles.capabilities import Capability, roles_with
from sangkien.roles.models import RoleAssignment
from sangkien.roles.scope import role_paths, scope_filter
from sangkien.units.access import in_subtree
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User

#: ``restrict_units`` actions → the capability they need over the unit.
UNIT_ACTIONS: dict[str, Capability] = {
    "view": Capability.SEE,
    "review": Capability.REVIEW,
    "enter": Capability.ENTER,
    "manage": Capability.ADMINISTER,
}


def _capability(actions: dict[str, Capability], action: str) -> Capability:
    try:
        return actions[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(actions)}") from None


def holds_anywhere(user: User | AnonymousUser, capability: Capability) -> bool:
    """True when ``user`` holds a role carrying ``capability`` on some unit (no query once the
    request's scope is cached; anonymous users: ``False``)."""
    return bool(role_paths(user, roles_with(capability)))


def restrict_units(user: User | AnonymousUser, action: str = "view") -> QuerySet[Unit]:
    """Units on which ``user`` may do ``action`` (:data:`UNIT_ACTIONS`): those in the subtree of a
    unit where they hold a role carrying the action's capability; none for anonymous users.

    :raises ValueError: an unknown action.
    """
    roles = roles_with(_capability(UNIT_ACTIONS, action))
    units: QuerySet[Unit] = Unit.objects.filter(scope_filter(user, roles, field="path"))
    return units


def restrict_assignments(user: User | AnonymousUser, action: str = "grant") -> QuerySet[RoleAssignment]:
    """Role assignments ``user`` may see and revoke (``action="grant"``, the only one): those on
    units they administer.

    :raises ValueError: an unknown action.
    """
    roles = roles_with(_capability({"grant": Capability.ADMINISTER}, action))
    return RoleAssignment.objects.filter(scope_filter(user, roles))


def get_assignment_for(user: User | AnonymousUser, pk: int, *, within: Unit) -> RoleAssignment:
    """The role assignment ``pk`` on ``within``'s subtree, if ``user`` may revoke it.

    :raises Http404: no such assignment there, or out of the user's scope (not revealed).
    """
    assignment = restrict_assignments(user, "grant").filter(in_subtree(within), pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment

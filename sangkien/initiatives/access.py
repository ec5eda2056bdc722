"""Reads of initiatives that depend on who asks.

:func:`restrict_initiatives` (NetBox's ``restrict(user, action)``) for lists,
:func:`get_initiative_for` (Zulip's ``access_*``: fetch + authorise in one call) for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from sangkien.initiatives.models import Initiative, InitiativeQuerySet
from sangkien.roles.capabilities import Capability, roles_with
from sangkien.roles.scope import scope_filter

#: ``restrict_initiatives`` actions → (the capability needed over the initiative's unit,
#: whether the submitter may too) — the same as the permissions of ``initiatives/rules.py``:
#: ``view`` is ``initiatives.view_initiative``, ``list`` ``initiatives.list_unit``,
#: ``review`` ``initiatives.review``.
ACTIONS: dict[str, tuple[Capability, bool]] = {
    "view": (Capability.SEE, True),
    "list": (Capability.SEE, False),
    "review": (Capability.REVIEW, False),
}


def restrict_initiatives(user: User, action: str = "view") -> InitiativeQuerySet:
    """The initiatives ``user`` may do ``action`` on (:data:`ACTIONS`): those of units in the
    subtree of a unit where they hold a role carrying the capability, and for ``view`` their
    own submissions too.  Anonymous users get none.

    :raises ValueError: an unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(ACTIONS)}")
    if not user.is_authenticated:
        return Initiative.objects.none()
    capability, own = ACTIONS[action]
    scoped = scope_filter(user, roles_with(capability))
    return Initiative.objects.filter(Q(submitted_by=user) | scoped if own else scoped)

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def get_initiative_for(user: User, tracking_code: str, perm: str = "initiatives.view_initiative") -> Initiative:
    """The initiative with ``tracking_code`` if ``user`` holds ``perm`` on it.

    :raises Http404: it does not exist or the user may not see it (we do not
        reveal that it exists).
    :raises PermissionDenied: the user may see it but not do ``perm``.
    """
    initiative = (
        Initiative.objects.select_related("programme", "phase", "unit", "field", "submitted_by", "entered_by")
        .filter(tracking_code=tracking_code.strip().upper()).first()
    )
    if initiative is None or not user.has_perm("initiatives.view_initiative", initiative):
        raise Http404
    if perm != "initiatives.view_initiative" and not user.has_perm(perm, initiative):
        raise PermissionDenied
    return initiative

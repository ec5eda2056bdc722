"""Fetch + authorise in one call (Zulip's ``access_*``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sangkien.initiatives.models import Initiative

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

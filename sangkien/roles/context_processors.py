"""Template context shared by every page, read from the roles a user holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sangkien.core.sql import first_row
from sangkien.roles.models import RoleAssignment

#: The request's attribute that keeps :func:`site`'s answer for the rest of the request.
KEPT_ATTRIBUTE = "_sangkien_user_has_roles"


def site(request: HttpRequest) -> dict[str, Any]:
    """``{"user_has_roles": bool}``: whether a signed-in user holds any role, for the navigation bar.

    Read once a request (kept on it): the submission form's kept page asks for its key, and the
    page rendered after asks again.

    It lives in ``roles`` (not ``core``) so that ``core`` imports nothing above it.
    """
    kept = request.__dict__.get(KEPT_ATTRIBUTE)
    if kept is not None:
        return {"user_has_roles": kept}
    user = getattr(request, "user", None)
    has_roles = False
    if user is not None and user.is_authenticated:
        has_roles = first_row(RoleAssignment, user_id=user.pk) is not None  # every page: a plain statement
    setattr(request, KEPT_ATTRIBUTE, has_roles)
    return {"user_has_roles": has_roles}

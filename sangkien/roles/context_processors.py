"""Template context shared by every page, read from the roles a user holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sangkien.core.sql import first_row
from sangkien.roles.models import RoleAssignment


def site(request: HttpRequest) -> dict[str, Any]:
    """``{"user_has_roles": bool}``: whether a signed-in user holds any role, for the navigation bar.

    It lives in ``roles`` (not ``core``) so that ``core`` imports nothing above it.
    """
    user = getattr(request, "user", None)
    has_roles = False
    if user is not None and user.is_authenticated:
        has_roles = first_row(RoleAssignment, user_id=user.pk) is not None  # every page: a plain statement
    return {"user_has_roles": has_roles}

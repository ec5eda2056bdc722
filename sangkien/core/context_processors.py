"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Expose the roles a signed-in user holds, for the navigation bar."""
    user = getattr(request, "user", None)
    has_roles = False
    if user is not None and user.is_authenticated:
        from sangkien.roles.models import RoleAssignment

        has_roles = RoleAssignment.objects.filter(user=user).exists()
    return {"user_has_roles": has_roles}

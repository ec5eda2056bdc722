"""The request type of a view behind ``@login_required`` (for annotations only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sangkien.core.http import HtmxHttpRequest

if TYPE_CHECKING:
    from sangkien.accounts.models import User


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request whose ``user`` is signed in (``@login_required`` let it through):
    ``request.user`` is a :class:`~sangkien.accounts.models.User`, never
    ``AnonymousUser``.  Django builds the real object; this class only tells mypy."""

    user: User  # narrower than HttpRequest's User | AnonymousUser

"""Read from a streaming replica, except where that would surprise someone.

With ``DATABASE_REPLICA_URL`` set, read-only pages (dashboards, lists) read
from the ``replica`` alias.  Writes, and every read in a request that
writes (a submission, a review decision), go to the primary.  After a
write, the same browser keeps reading from the primary for
``PIN_SECONDS`` (a cookie), so a member who just submitted — or a reviewer
who just approved — sees their change even if the replica lags behind.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PIN_SECONDS = 30
PIN_COOKIE = "sk_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("sangkien_pinned_to_primary", default=False)


def pin_to_primary(value: bool = True) -> contextvars.Token[bool]:
    """Send this context's reads to the primary (returns a token for ``reset``)."""
    return _pinned.set(value)


def is_pinned() -> bool:
    return _pinned.get()


class PrimaryReplicaRouter:
    """Database router: writes → ``default``; reads → ``replica`` unless pinned."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return "default" if is_pinned() else "replica"

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class PrimaryPinMiddleware:
    """Pins a request to the primary when it writes or follows a recent write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        try:
            recent = float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            recent = False
        token = pin_to_primary(writes or recent)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes:
            response.set_cookie(PIN_COOKIE, str(int(time.time()) + PIN_SECONDS), max_age=PIN_SECONDS,
                                httponly=True, samesite="Lax")
        return response

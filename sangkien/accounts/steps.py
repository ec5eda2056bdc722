"""Steps an app above ``accounts`` shows right after signing in or verifying the phone.

``accounts`` owns the moment (allauth's ``post_login``, the SMS code page)
but not what the step needs: "Xác nhận tác giả" reads participants, which sit
above accounts.  So the app that owns a step registers it here when Django
starts (``AppConfig.ready``), and accounts asks the registered steps in turn.
A step is ``step(request, next_url) -> str | None``: the URL to send the
person to (passing ``next_url`` on), or None when it has nothing to ask.
"""

from __future__ import annotations

from collections.abc import Callable

from sangkien.accounts.http import AuthenticatedHttpRequest

Step = Callable[[AuthenticatedHttpRequest, str], "str | None"]

_STEPS: list[Step] = []


def register_after_sign_in(step: Step) -> None:
    """Ask ``step`` after every sign-in and phone verification (once, however often it is registered)."""
    if step not in _STEPS:
        _STEPS.append(step)


def after_sign_in(request: AuthenticatedHttpRequest, next_url: str) -> str | None:
    """The URL of the first registered step that has something to ask ``request.user``, else None."""
    for step in _STEPS:
        target = step(request, next_url)
        if target:
            return target
    return None

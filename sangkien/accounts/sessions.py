"""How long a signed-in session lasts, and when a password is asked again (issue 9, item 12).

Two kinds of session (docs/security.md, docs/configuration.md):

* a **member** (no role) stays signed in for ``SANGKIEN_SESSION_MEMBER_DAYS``
  (7 by default) after their last visit: the phone keeps them signed in while
  they use it;
* an **officer** (anyone holding a role on a unit, and staff) is signed out
  after ``SANGKIEN_SESSION_OFFICER_IDLE_MINUTES`` (30) without a request, and
  ``SANGKIEN_SESSION_OFFICER_MAX_HOURS`` (12) after signing in whatever they do:
  officers reach many people's phone numbers, often from shared office PCs.

The kind and the sign-in time are written into the session when someone signs
in (:func:`stamp_session`, on Django's ``user_logged_in`` signal); the limits
are enforced on every request by
:class:`sangkien.core.middleware.SessionTimeoutMiddleware`.

Starting an export of personal data and granting or revoking a role ask for
the password again unless the person authenticated in the last
``SANGKIEN_REAUTHENTICATION_MINUTES`` (15): :func:`recent_authentication_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from sangkien.core import clock
from sangkien.core.middleware import SESSION_STATE_KEY

if TYPE_CHECKING:
    from sangkien.accounts.models import User

OFFICER = "officer"
MEMBER = "member"


def session_kind(user: User) -> str:
    """``"officer"`` for staff and anyone holding a role on a unit, else ``"member"``.

    The roles are read through the ``roles`` reverse relation of
    :class:`sangkien.roles.models.RoleAssignment` (accounts sits below roles and
    does not import it).  A role granted during a session applies its shorter
    limits from the next sign-in.
    """
    if user.is_staff or user.is_superuser or user.roles.exists():
        return OFFICER
    return MEMBER


def stamp_session(request: HttpRequest, user: User) -> None:
    """Write the session's kind and sign-in time (Unix seconds, from the one clock) into ``request.session``;
    an officer's session expires after the idle limit."""
    moment = clock.now().timestamp()
    kind = session_kind(user)
    request.session[SESSION_STATE_KEY] = {"kind": kind, "auth_at": moment, "seen_at": moment}
    if kind == OFFICER:  # the cookie lasts as long as the idle limit (allauth's sign-in form may reset it:
        # the middleware then shortens it again on the next request)
        request.session.set_expiry(settings.SANGKIEN_SESSION_OFFICER_IDLE_MINUTES * 60)


@receiver(user_logged_in, dispatch_uid="sangkien.accounts.sessions.stamp")
def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        stamp_session(request, user)


def authenticated_recently(request: HttpRequest) -> bool:
    """Whether ``request.user`` signed in, or confirmed their password, in the last
    ``SANGKIEN_REAUTHENTICATION_MINUTES``.

    Reads our sign-in stamp and allauth's record of the session's authentications
    (sign-in and re-authentication alike).
    """
    user = request.user
    if not user.is_authenticated:
        return False
    moments = [record.get("at") for record in get_authentication_records(request, user)]
    state = request.session.get(SESSION_STATE_KEY)
    if isinstance(state, dict):
        moments.append(state.get("auth_at"))
    current = clock.now().timestamp()
    limit = settings.SANGKIEN_REAUTHENTICATION_MINUTES * 60
    return any(isinstance(m, int | float) and current - m < limit for m in moments)


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def recent_authentication_required(
    when: Callable[..., bool],
) -> Callable[[_View], _View]:
    """Decorate a view so that, when ``when(request, *args, **kwargs)`` is true, a signed-in
    person who has not authenticated recently (:func:`authenticated_recently`) is first asked
    for their password.

    Raises allauth's ``ReauthenticationRequired``, which allauth's middleware turns into a
    redirect to its (translated) password page; a POST is kept in the session and replayed
    once the password is confirmed, a GET is repeated from its address.  Put it inside
    ``login_required``.
    """

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if (request.user.is_authenticated and when(request, *args, **kwargs)
                    and not authenticated_recently(request)):
                raise ReauthenticationRequired
            return view(request, *args, **kwargs)

        return cast(_View, wrapper)

    return decorator

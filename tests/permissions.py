"""One permission-test helper: try every role inside and outside a unit's scope.

NetBox's view-test mixins, for our roles.  :func:`people` makes the cast: the anonymous
visitor, a member holding no role, and one user per role (``Role`` values) holding it
*inside* (on ``holder``: the unit itself or a unit above it) and *outside* (on a unit
beside it).  :func:`assert_allowed` runs a check for each of them and compares the whole
who → allowed table with the expected one, so one loosened or tightened rule shows as a
one-line difference.  :func:`permission_check` and :func:`page_check` are the two usual
checks: ``user.has_perm(perm, obj)``, and a page answered (200, or a redirect after a
POST) rather than refused (login for the anonymous, 403/404 for everyone else).

Example::

    cast = people(inside=tree["d1"], outside=tree["d2"])
    assert_allowed(cast, permission_check("initiatives.review", initiative),
                   inside={Role.REVIEWER, Role.ORGANISING_COMMITTEE})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import resolve_url

from sangkien.accounts.models import User
from sangkien.roles.models import Role
from sangkien.units.models import Unit
from tests.factories import UserFactory, grant

ANONYMOUS = "anonymous"
MEMBER = "member"
#: Every role, in ``Role`` order.
ROLES = tuple(role.value for role in Role)


@dataclass(frozen=True)
class Cast:
    """The users tried: ``users[who]`` with ``who`` one of :data:`ANONYMOUS`, :data:`MEMBER`,
    ``"<role>@inside"``, ``"<role>@outside"`` (``None`` for the anonymous visitor)."""

    users: dict[str, User | None]


def people(*, inside: Unit, outside: Unit) -> Cast:
    """Create the cast: one member and one user per role on ``inside`` and on ``outside``."""
    users: dict[str, User | None] = {ANONYMOUS: None, MEMBER: UserFactory()}
    for where, unit in (("inside", inside), ("outside", outside)):
        for role in ROLES:
            user = UserFactory()
            grant(user, unit, role)
            users[f"{role}@{where}"] = user
    return Cast(users)


def expected(inside: Iterable[str] = (), outside: Iterable[str] = (), others: Iterable[str] = ()) -> dict[str, bool]:
    """The table :func:`assert_allowed` expects: the roles allowed inside, those allowed outside
    (usually none), and ``others`` among :data:`ANONYMOUS`/:data:`MEMBER`."""
    allowed = {f"{r}@inside" for r in inside} | {f"{r}@outside" for r in outside} | set(others)
    unknown = allowed - {ANONYMOUS, MEMBER, *(f"{r}@{w}" for r in ROLES for w in ("inside", "outside"))}
    assert not unknown, f"unknown roles in the expectation: {sorted(unknown)}"
    return {who: who in allowed for who in [ANONYMOUS, MEMBER, *(f"{r}@inside" for r in ROLES),
                                             *(f"{r}@outside" for r in ROLES)]}


def assert_allowed(cast: Cast, check: Callable[[User | None], bool], *, inside: Iterable[str] = (),
                   outside: Iterable[str] = (), others: Iterable[str] = ()) -> None:
    """Run ``check`` for everyone of ``cast``; the who → allowed table must be :func:`expected`'s."""
    found = {who: bool(check(user)) for who, user in cast.users.items()}
    assert found == expected(inside, outside, others)


def permission_check(perm: str, obj: Any) -> Callable[[User | None], bool]:
    """A check: ``user.has_perm(perm, obj)`` (the anonymous visitor as ``AnonymousUser``)."""

    def check(user: User | None) -> bool:
        return (user or AnonymousUser()).has_perm(perm, obj)

    return check


def page_check(client: Any, url: str, *, method: str = "get", data: dict[str, Any] | None = None,
               allowed_status: Iterable[int] = (200,)) -> Callable[[User | None], bool]:
    """A check: ``client`` signed in as the user asks for ``url``; ``True`` when the answer is in
    ``allowed_status``, ``False`` when refused — a redirect to the sign-in page for the
    anonymous visitor, 403 or 404 for anyone signed in.  Any other answer fails the test.
    """
    allowed = set(allowed_status)
    login = resolve_url(settings.LOGIN_URL)

    def check(user: User | None) -> bool:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, data or {})
        if user is None and response.status_code == 302 and response["Location"].startswith(login):
            return False
        if response.status_code in allowed:
            return True
        assert response.status_code in (403, 404), (url, str(user), response.status_code)
        return False

    return check


def restrict_check(restrict: Callable[[Any, str], Any], action: str, obj: Any) -> Callable[[User | None], bool]:
    """A check: ``obj`` is among ``restrict(user, action)`` (an ``access.restrict_*`` function)."""

    def check(user: User | None) -> bool:
        return restrict(user or AnonymousUser(), action).filter(pk=obj.pk).exists()

    return check

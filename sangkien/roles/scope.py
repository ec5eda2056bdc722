"""Who reaches which units: the one place scope is computed.

A role held on unit U reaches U's whole subtree (every unit whose path
starts with U's path).  Nobody reaches what is above or beside their units.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from django.db.models import BooleanField, Q, Value

from sangkien.roles.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User
    from sangkien.units.models import Unit

ANY_ROLE = frozenset(Role.values)


class HasPath(Protocol):
    """A unit, or what stands for one in scope checks: anything with a tree ``path``."""

    path: str


def role_paths(user: User | AnonymousUser | None, roles: Iterable[str] = ANY_ROLE) -> list[str]:
    """Tree paths of the units on which ``user`` holds one of ``roles``.

    Cached on the user object for the request; anonymous users get ``[]``.
    """
    if user is None or not user.is_authenticated:
        return []
    cache: dict[str, list[str]] | None = getattr(user, "_sangkien_role_paths", None)
    if cache is None:
        from sangkien.roles.models import RoleAssignment

        cache = {}
        for role, path in RoleAssignment.objects.filter(user=user).values_list("role", "unit__path"):
            cache.setdefault(role, []).append(path)
        user._sangkien_role_paths = cache  # type: ignore[attr-defined]  # cached on the user object
    wanted = set(roles)
    if Role.ORGANISING_COMMITTEE in cache:
        # The organising committee acts in every role over the whole tree.
        wanted |= ANY_ROLE
    paths = sorted({p for role, ps in cache.items() if role in wanted for p in ps})
    # drop paths already covered by a shorter one
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def reaches(user: User | AnonymousUser | None, unit: HasPath | None, roles: Iterable[str] = ANY_ROLE) -> bool:
    """True when ``user`` holds one of ``roles`` on ``unit`` or on a unit above it."""
    if unit is None:
        return False
    return any(unit.path.startswith(p) for p in role_paths(user, roles))


def scope_filter(user: User | AnonymousUser, roles: Iterable[str] = ANY_ROLE, *, field: str = "unit__path") -> Q:
    """A ``Q`` matching rows whose unit lies in ``user``'s scope for ``roles``.

    Matches nothing when the user holds none of the roles.
    """
    paths = role_paths(user, roles)
    if not paths:
        return Q(pk__in=[])
    if any(is_whole_tree(user, path) for path in paths):
        # Every row's unit lies in the tree: no join to the units, no test of millions of paths (the
        # national officer's home counted the programme through the units, issue 12).  A constant,
        # not "pk IS NOT NULL": PostgreSQL 15 would read each row's id from the table for it.
        return Q(Value(True, output_field=BooleanField()))
    query = Q()
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def is_whole_tree(user: User | AnonymousUser, path: str) -> bool:
    """:func:`sangkien.units.models.is_only_root`, remembered on the user object for the request
    (as :func:`role_paths`)."""
    from sangkien.units.models import is_only_root

    known: dict[str, bool] = user.__dict__.setdefault("_sangkien_whole_tree", {})
    if path not in known:
        known[path] = is_only_root(path)
    return known[path]


def level_above(unit: Unit | None) -> HasPath | None:
    """What stands for "the level above ``unit``" in scope checks: an object
    with the parent's ``path`` (no query), or ``unit`` itself at the root —
    the national level confirms its own (issue 9 item 8)."""
    if unit is None:
        return None
    steplen = len(unit.path) // max(unit.depth, 1)
    if unit.depth <= 1:
        return unit
    return _Path(unit.path[:-steplen])


class _Path:
    def __init__(self, path: str) -> None:
        self.path = path


def above_filter(user: User, roles: Iterable[str] = ANY_ROLE, *, field: str = "unit__path") -> Q:
    """A ``Q`` matching rows whose unit's level above (:func:`level_above`)
    lies in ``user``'s scope for ``roles``: strictly below one of their
    units, or a root unit they hold a role on."""
    paths = role_paths(user, roles)
    if not paths:
        return Q(pk__in=[])
    depth = field.removesuffix("path") + "depth"
    query = Q()
    for path in paths:
        query |= Q(**{f"{field}__startswith": path}) & ~Q(**{field: path})
        query |= Q(**{field: path, depth: 1})
    return query


def clear_cache(user: User) -> None:
    """Forget the cached scope (after granting or revoking a role)."""
    if hasattr(user, "_sangkien_role_paths"):
        del user._sangkien_role_paths

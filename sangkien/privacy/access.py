"""Reads of the privacy app: the accesses that concern one signed-in person, nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from sangkien.accesslog.models import AccessKind, PersonalDataAccess
from sangkien.initiatives.models import Initiative
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

#: A person's initiatives looked at, at most (the query stays bounded for a prolific author).
MAX_INITIATIVES = 1000


def initiatives_of(user: User) -> list[tuple[int, int, str, dt.datetime]]:
    """``(pk, programme_id, unit path, submitted_at)`` of the initiatives ``user`` submitted or is
    named on (as an author or co-author whose person is linked to the account); one query."""
    if not user.is_authenticated:
        return []
    rows = (Initiative.objects.filter(Q(submitted_by=user) | Q(authorships__person__user=user))
            .values_list("pk", "programme_id", "unit__path", "submitted_at").distinct()
            .order_by("-submitted_at")[:MAX_INITIATIVES])
    return list(rows)


def _ancestor_paths(path: str) -> list[str]:
    """The paths of the unit at ``path`` and of every unit above it (treebeard's materialised path)."""
    step = Unit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def accesses_concerning(user: User) -> QuerySet[PersonalDataAccess]:
    """Every logged access to ``user``'s personal data by someone else, newest first.

    The views, downloads and decisions on the initiatives of :func:`initiatives_of`, and
    the exports with personal data that covered them: same programme, a unit at or above
    the initiative's unit, made after the initiative was submitted.  The person's own
    accesses are left out.
    """
    mine = initiatives_of(user)
    if not mine:
        return PersonalDataAccess.objects.none()
    earliest: dict[tuple[int, str], dt.datetime] = {}
    for _pk, programme_id, path, submitted_at in mine:
        key = (programme_id, path)
        earliest[key] = min(submitted_at, earliest.get(key, submitted_at))
    exports = Q(pk__in=[])
    for (programme_id, path), since in earliest.items():
        exports |= Q(programme_id=programme_id, unit__path__in=_ancestor_paths(path), at__gte=since)
    return (PersonalDataAccess.objects
            .filter(Q(initiative_id__in=[row[0] for row in mine]) | (Q(kind=AccessKind.EXPORT) & exports))
            .exclude(actor=user)
            .select_related("actor", "role_unit", "initiative", "unit", "programme")
            .order_by("-at", "-pk"))

"""Writes of the access log: one INSERT per access (retention is in ``sangkien.privacy.retention``).

:func:`record_access` is called by the initiative page, the attachment
download, a review decision and an export with personal data.  It is cheap by
design: the actor's role comes from the scope cache the permission check has
just filled (:func:`sangkien.roles.scope.role_paths`), the role's unit is a
sub-select inside the same INSERT, so a call costs one statement and no read
(measured: about as much as one audit-log row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.expressions import RawSQL

from sangkien.accesslog.models import AccessKind, PersonalDataAccess
from sangkien.roles.models import Role
from sangkien.roles.scope import role_paths
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User
    from sangkien.programmes.models import Programme

#: The role's unit, looked up inside the INSERT (a sub-select on the unique tree path; compiled
#: once, where an ORM Subquery costs ~1 ms of query building per call).
_ROLE_UNIT_SQL = '(SELECT "id" FROM "units_unit" WHERE "path" = %s)'

#: When two roles reach a unit from the same unit, the one shown (most specific first).
ROLE_ORDER = (Role.REVIEWER, Role.UNIT_ADMIN, Role.SUPPORT_TEAM, Role.ORGANISING_COMMITTEE)


def acting_role(user: User, unit: Unit | None) -> tuple[str, str]:
    """``(role, path)`` of the role through which ``user`` reaches ``unit``: the one held on the
    nearest unit above it (ties: :data:`ROLE_ORDER`); ``("", "")`` when no role reaches it.

    Reads the per-request scope cache of :func:`~sangkien.roles.scope.role_paths` (one query
    the first time in a request, none after a permission check).
    """
    if unit is None or not role_paths(user):
        return "", ""
    cache: dict[str, list[str]] = getattr(user, "_sangkien_role_paths", {})
    best: tuple[int, int, str, str] | None = None
    for role, paths in cache.items():
        rank = ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
        for path in paths:
            if unit.path.startswith(path):
                key = (-len(path), rank, role, path)
                if best is None or key < best:
                    best = key
    return (best[2], best[3]) if best else ("", "")


# ``initiative`` stays Any: initiatives sits above accesslog, which cannot name its model.
def record_access(*, actor: User, kind: str, initiative: Any = None, unit: Unit | None = None,
                  programme: Programme | int | None = None,
                  object_ref: str = "", purpose: str = "") -> PersonalDataAccess | None:
    """Log that ``actor`` did ``kind`` (an :class:`AccessKind`) with someone's personal data.

    ``initiative``: the initiative seen (its unit and programme are used when ``unit`` /
    ``programme`` are not given); for an export, ``unit`` is the exported subtree's unit.
    Nothing is logged (returns None) for an anonymous actor or when the actor is the
    initiative's submitter (a person looking at their own data).  One INSERT, atomic by
    itself; rows are never changed afterwards.

    :raises ValueError: ``kind`` is not an :class:`AccessKind`.
    """
    if kind not in AccessKind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    if actor is None or not actor.is_authenticated:
        return None
    if initiative is not None:
        if initiative.submitted_by_id == actor.pk:
            return None
        unit = unit if unit is not None else initiative.unit
        programme = programme if programme is not None else initiative.programme_id
    role, path = acting_role(actor, unit)
    return PersonalDataAccess.objects.create(
        actor=actor, kind=kind, role=role,
        role_unit_id=RawSQL(_ROLE_UNIT_SQL, [path]) if path else None,  # noqa: S611 - constant SQL, path a parameter
        initiative=initiative, unit=unit,
        programme_id=getattr(programme, "pk", programme), object_ref=object_ref[:255], purpose=purpose[:300])


def record_accesses(*, actor: User, kind: str, initiatives: list[Any]) -> list[PersonalDataAccess]:
    """:func:`record_access` for several initiatives at once (a bulk decision): one SELECT for the
    roles' units and one INSERT for all rows; the actor's own initiatives are left out.

    :raises ValueError: ``kind`` is not an :class:`AccessKind`.
    """
    if kind not in AccessKind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    if actor is None or not actor.is_authenticated:
        return []
    others = [i for i in initiatives if i.submitted_by_id != actor.pk]
    roles = {i.pk: acting_role(actor, i.unit) for i in others}
    paths = {path for _role, path in roles.values() if path}
    units = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk")) if paths else {}
    return PersonalDataAccess.objects.bulk_create([
        PersonalDataAccess(actor=actor, kind=kind, role=roles[i.pk][0], role_unit_id=units.get(roles[i.pk][1]),
                           initiative=i, unit=i.unit, programme_id=i.programme_id, object_ref=i.tracking_code)
        for i in others])

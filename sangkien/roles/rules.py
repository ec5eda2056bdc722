"""Permissions, declared once (django-rules) and shared by views and templates.

Each permission takes a unit or an initiative as its object; docs/roles.md
has the same table in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from sangkien.roles.models import Role
from sangkien.roles.scope import ANY_ROLE, level_above, reaches

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User


def _unit_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "scope_unit"):
        return obj.scope_unit
    return obj


def _reaches(*roles: str) -> rules.Predicate:
    wanted = frozenset(roles) or ANY_ROLE

    @rules.predicate
    def predicate(user: User | AnonymousUser, obj: Any) -> bool:
        return reaches(user, _unit_of(obj), wanted)

    predicate.name = "reaches_" + "_".join(sorted(wanted))
    return predicate


any_role_over = _reaches(*ANY_ROLE)
reviewer_over = _reaches(Role.REVIEWER)
admin_over = _reaches(Role.UNIT_ADMIN)
enterer_over = _reaches(Role.UNIT_ADMIN, Role.SUPPORT_TEAM)


@rules.predicate
def is_submitter(user: User | AnonymousUser, initiative: Any) -> bool:
    return bool(user.is_authenticated and initiative is not None and initiative.submitted_by_id == user.pk)


rules.add_perm("initiatives.view_initiative", is_submitter | any_role_over)
rules.add_perm("initiatives.view_personal_data", is_submitter | any_role_over)
rules.add_perm("initiatives.edit_returned", is_submitter)
rules.add_perm("initiatives.review", reviewer_over)
rules.add_perm("initiatives.enter_on_behalf", enterer_over)
rules.add_perm("initiatives.list_unit", any_role_over)
rules.add_perm("reports.view_officer_dashboard", any_role_over)
rules.add_perm("units.print_poster", any_role_over)
rules.add_perm("units.manage", admin_over)
rules.add_perm("roles.grant", admin_over)
# Bulk entry and exports (sangkien.imports, issue 4).  Exports mask phones and
# e-mails; an officer with review rights over the unit (a reviewer, the organising
# committee) may ask for them unmasked, stating a purpose (issue 9 item 11; Law
# 91/2025/QH15: the least data for the purpose).  Support teams and unit
# administrators export masked lists.
rules.add_perm("imports.import_initiatives", enterer_over)
rules.add_perm("imports.export", any_role_over)
rules.add_perm("imports.export_personal_data", reviewer_over)
rules.add_perm("imports.view_log", admin_over)


# Duplicates (issue 3): appended.  A reviewer marks an initiative of their
# subtree as a duplicate (its original may be anywhere in the programme);
# the duplicate report is for officers over the unit (the organising
# committee: the whole programme).
rules.add_perm("duplicates.mark", reviewer_over)
rules.add_perm("duplicates.view_report", any_role_over)


# Plausibility holds (issue 9 item 8, sangkien.initiatives.plausibility): an
# implausible import is confirmed or refused by an officer with review or
# import rights over the level above its unit (national scope: its own level),
# never by the person who uploaded it; a held web submission is released by a
# reviewer of the level above.
def _above(*roles: str) -> rules.Predicate:
    wanted = frozenset(roles)

    @rules.predicate
    def predicate(user: User | AnonymousUser, obj: Any) -> bool:
        return reaches(user, level_above(_unit_of(obj)), wanted)

    predicate.name = "above_" + "_".join(sorted(wanted))
    return predicate


@rules.predicate
def is_uploader(user: User | AnonymousUser, job: Any) -> bool:
    return bool(user.is_authenticated and job is not None and job.created_by_id == user.pk)


HOLD_CONFIRMERS = (Role.REVIEWER, Role.UNIT_ADMIN, Role.SUPPORT_TEAM)
rules.add_perm("imports.confirm_held", _above(*HOLD_CONFIRMERS) & ~is_uploader)
rules.add_perm("initiatives.release_hold", _above(Role.REVIEWER))

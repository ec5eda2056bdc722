"""Permissions on initiatives (django-rules; docs/roles.md).  The object is an initiative
(judged by its unit) or a unit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from sangkien.roles.capabilities import Capability
from sangkien.roles.predicates import any_role_over, enterer_over, holds_above, reviewer_over

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User


@rules.predicate
def is_submitter(user: User | AnonymousUser, initiative: Any) -> bool:
    """``user`` sent ``initiative`` (their own, or one entered for them under their account)."""
    return bool(user.is_authenticated and initiative is not None and initiative.submitted_by_id == user.pk)


rules.add_perm("initiatives.view_initiative", is_submitter | any_role_over)
rules.add_perm("initiatives.view_personal_data", is_submitter | any_role_over)
rules.add_perm("initiatives.edit_returned", is_submitter)
rules.add_perm("initiatives.review", reviewer_over)
rules.add_perm("initiatives.enter_on_behalf", enterer_over)
rules.add_perm("initiatives.list_unit", any_role_over)
# Plausibility holds (issue 9 item 8, sangkien.initiatives.plausibility): a held web
# submission is released by a reviewer of the level above.
rules.add_perm("initiatives.release_hold", holds_above(Capability.REVIEW))

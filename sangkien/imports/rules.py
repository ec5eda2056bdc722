"""Permissions of bulk entry and exports (issue 4; django-rules; docs/roles.md).

Exports mask phones and e-mails; an officer with review rights over the unit (a
reviewer, the organising committee) may ask for them unmasked, stating a purpose
(issue 9 item 11; Law 91/2025/QH15: the least data for the purpose).  Support teams
and unit administrators export masked lists.  An implausible import is confirmed or
refused by an officer with hold-confirming rights over the level above its unit
(national scope: its own level), never by the person who uploaded it (issue 9 item 8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from sangkien.roles.capabilities import Capability
from sangkien.roles.predicates import (
    admin_over,
    any_role_over,
    enterer_over,
    holds_above,
    reviewer_over,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User


@rules.predicate
def is_uploader(user: User | AnonymousUser, job: Any) -> bool:
    """``user`` uploaded the import ``job``."""
    return bool(user.is_authenticated and job is not None and job.created_by_id == user.pk)


rules.add_perm("imports.import_initiatives", enterer_over)
rules.add_perm("imports.export", any_role_over)
rules.add_perm("imports.export_personal_data", reviewer_over)
rules.add_perm("imports.view_log", admin_over)
rules.add_perm("imports.confirm_held", holds_above(Capability.CONFIRM_HOLD) & ~is_uploader)

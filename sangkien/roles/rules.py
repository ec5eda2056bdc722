"""Permissions of ``roles`` and of ``units`` (django-rules; docs/roles.md).

``units`` sits below ``roles`` (it cannot import the predicates), so the permissions
on units live here, in the lowest app that knows roles.  Each app above declares its
own in its ``rules.py`` (autodiscovered by ``rules.apps.AutodiscoverRulesConfig``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from sangkien.roles.predicates import admin_over, any_role_over

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User


@rules.predicate
def is_province_or_national(user: User | AnonymousUser, unit: Any) -> bool:
    """The unit is the national unit, a provincial federation or a national sector union."""
    return unit is not None and getattr(unit, "kind", None) in ("national", "provincial_federation",
                                                                   "national_sector_union")


# Reorganisation plans (issue 11): the organising committee, or a unit administrator of a
# province (or national sector union) within it.
rules.add_perm("units.reorganise", admin_over & is_province_or_national)
rules.add_perm("roles.grant", admin_over)
rules.add_perm("units.manage", admin_over)
rules.add_perm("units.print_poster", any_role_over)

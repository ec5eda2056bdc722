"""Permissions of ``roles`` and of ``units`` (django-rules; docs/roles.md).

``units`` sits below ``roles`` (it cannot import the predicates), so the permissions
on units live here, in the lowest app that knows roles.  Each app above declares its
own in its ``rules.py`` (autodiscovered by ``rules.apps.AutodiscoverRulesConfig``).
"""

from __future__ import annotations

import rules

from sangkien.roles.predicates import admin_over, any_role_over

rules.add_perm("roles.grant", admin_over)
rules.add_perm("units.manage", admin_over)
rules.add_perm("units.print_poster", any_role_over)

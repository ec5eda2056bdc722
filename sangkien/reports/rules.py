"""Permissions of the dashboards (django-rules; docs/roles.md).  The object is a unit."""

from __future__ import annotations

import rules

from sangkien.roles.predicates import any_role_over

rules.add_perm("reports.view_officer_dashboard", any_role_over)

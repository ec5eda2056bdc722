"""Permissions on duplicates (issue 3; django-rules; docs/roles.md).

A reviewer marks an initiative of their subtree as a duplicate (its original may be
anywhere in the programme); the duplicate report is for officers over the unit (the
organising committee: the whole programme).
"""

from __future__ import annotations

import rules

from sangkien.roles.predicates import any_role_over, reviewer_over

rules.add_perm("duplicates.mark", reviewer_over)
rules.add_perm("duplicates.view_report", any_role_over)

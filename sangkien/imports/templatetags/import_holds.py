"""``{% held_imports user as jobs %}``: the held imports an officer may confirm (issue 9 item 8).

A tag, so that pages of apps below ``imports`` (the officer home of
``initiatives``) can list them without importing this app's code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from sangkien.imports.holds import describe, held_jobs_for

if TYPE_CHECKING:
    from sangkien.accounts.models import User

register = template.Library()

#: At most this many held imports are listed on a page; the rest are counted.
SHOWN = 50


@register.simple_tag
def held_imports(user: User) -> dict[str, Any]:
    """``{"jobs": [(job, reason), …], "more": n}``: held imports ``user`` may confirm, oldest first."""
    jobs = list(held_jobs_for(user)[:SHOWN + 1])
    return {"jobs": [(job, describe(job)) for job in jobs[:SHOWN]], "more": max(0, len(jobs) - SHOWN)}

"""``{{ initiative|held_reason }}``: why a submission is held, in the reader's language (issue 9 item 8)."""

from __future__ import annotations

from django import template

from sangkien.initiatives import plausibility
from sangkien.initiatives.models import Initiative

register = template.Library()


@register.filter
def held_reason(initiative: Initiative) -> str:
    """The hold's reason ("12 sáng kiến của một người trong một ngày (tối đa 10)"); "" when not held."""
    return plausibility.held_reason(initiative)

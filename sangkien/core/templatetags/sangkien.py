"""Template filters: VND amounts, percentages, statuses."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext

from sangkien.core.phone import display_phone

register = template.Library()


@register.filter
def vnd(value: Any) -> str:
    """``1500000`` → ``1.500.000 đ`` (Vietnamese grouping); empty for None."""
    if value is None or value == "":
        return ""
    return gettext("%(amount)s đ") % {"amount": number_format(int(value), force_grouping=True)}


@register.filter
def num(value: Any) -> str:
    """A whole number with the locale's grouping: ``1.892.577``."""
    if value is None or value == "":
        return ""
    return number_format(int(value), force_grouping=True)


@register.filter
def pct(value: Any) -> str:
    """``189.3`` → ``189,3%``; ``—`` when there is no target."""
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=1)}%"


@register.filter
def status_badge(initiative: Any) -> str:
    return format_html('<span class="badge badge-{}">{}</span>', initiative.status,
                       initiative.get_status_display())


@register.filter
def phone(value: Any) -> str:
    """``+84978892973`` → ``0978 892 973``."""
    return display_phone(value) if value else ""


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key)

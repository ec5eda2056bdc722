"""Template filters: VND amounts, percentages, statuses, deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from sangkien.core.clock import LOCAL_TZ
from sangkien.core.phone import display_phone

register = template.Library()


@register.filter
def vnd(value: Any) -> str:
    """``1500000`` → ``<span class="money">1.500.000&nbsp;đ</span>`` (the locale's
    grouping); empty for None.

    The span does not wrap (CSS ``.money``) and the space before "đ" is a
    no-break space, so a narrow screen never breaks an amount in two
    ("9.152.000.00 / 0 đ", issue 8 item 11).
    """
    if value is None or value == "":
        return ""
    return format_html('<span class="money">{}\u00a0đ</span>', number_format(int(value), force_grouping=True))


@register.filter
def deadline(value: dt.datetime | None) -> str:
    """The end instant of a window as the letters write it, in local time.

    An end at local midnight is the end of the previous day: 2027-01-29 00:00
    (Asia/Ho_Chi_Minh) → "24h ngày 28/01/2027" (vi) / "24:00 on 28/01/2027"
    (en), as the letters say "sau 24h00 ngày 20/4/2021".  Any other instant →
    "17:30 ngày 28/01/2027" / "17:30 on 28/01/2027".  Empty for None.
    """
    if value is None or value == "":
        return ""
    local = value.astimezone(LOCAL_TZ)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        day = local.date() - dt.timedelta(days=1)
        return _("24h ngày %(date)s") % {"date": day.strftime("%d/%m/%Y")}
    return _("%(time)s ngày %(date)s") % {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


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

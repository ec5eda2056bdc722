"""Template filters: VND amounts, percentages, statuses, deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from sangkien.core.clock import format_deadline
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
    amount = gettext("%(amount)s đ") % {"amount": number_format(int(value), force_grouping=True)}
    return format_html('<span class="money">{}</span>', amount.replace(" ", "\u00a0"))


@register.filter
def deadline(value: dt.datetime | None) -> str:
    """A window's end as the letters write it: see :func:`sangkien.core.clock.format_deadline`."""
    return format_deadline(value)


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


@register.simple_tag
def trix_lang() -> str:
    """The editor's toolbar labels in the current language, and the script that gives them to Trix.

    Renders ``<script id="trix-lang" type="application/json">`` (the labels of
    ``Trix.config.lang``, translated) and ``static/js/trix-lang.js``; put it in
    the page's head *before* Trix's own script (item 11 of issue 8).
    """
    from django.templatetags.static import static
    from django.utils.html import json_script

    labels = {
        "attachFiles": gettext("Đính kèm tệp"), "bold": gettext("Chữ đậm"), "bullets": gettext("Gạch đầu dòng"),
        "byte": ngettext("byte", "byte", 1), "bytes": ngettext("byte", "byte", 2), "captionPlaceholder": gettext("Thêm chú thích…"),
        "code": gettext("Mã nguồn"), "heading1": gettext("Tiêu đề"), "indent": gettext("Tăng mức lùi"),
        "italic": gettext("Chữ nghiêng"), "link": gettext("Liên kết"), "numbers": gettext("Danh sách số"),
        "outdent": gettext("Giảm mức lùi"), "quote": gettext("Trích dẫn"), "redo": gettext("Làm lại"),
        "remove": gettext("Xoá"), "strike": gettext("Gạch ngang"), "undo": gettext("Hoàn tác"),
        "unlink": gettext("Bỏ liên kết"), "url": gettext("Địa chỉ URL"),
        "urlPlaceholder": gettext("Nhập địa chỉ URL…"),
    }
    return json_script(labels, "trix-lang") + format_html('\n<script src="{}" defer></script>',
                                                          static("js/trix-lang.js"))

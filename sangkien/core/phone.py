"""Vietnamese phone numbers: one normal form for storage and look-up."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _


class PhoneError(ValueError):
    """Raised when a text is not a Vietnamese phone number."""


_DIGITS = re.compile(r"[\s.\-()]")


def normalise_phone(text: str) -> str:
    """Return ``text`` as an E.164 Vietnamese number, e.g. ``+84978892973``.

    Accepts ``0978.892.973``, ``0978 892 973``, ``+84 978 892 973``,
    ``84978892973``.  Mobile and landline numbers have 9–10 digits after
    the country code.

    :raises PhoneError: the text is not a Vietnamese phone number.
    """
    raw = _DIGITS.sub("", text or "")
    if raw.startswith("+84"):
        rest = raw[3:]
    elif raw.startswith("84") and len(raw) >= 11:
        rest = raw[2:]
    elif raw.startswith("0"):
        rest = raw[1:]
    else:
        raise PhoneError(_("Số điện thoại không hợp lệ (ví dụ: 0978 892 973)."))
    if rest.startswith("0"):
        rest = rest[1:]
    if not rest.isdigit() or not 9 <= len(rest) <= 10:
        raise PhoneError(_("Số điện thoại không hợp lệ (ví dụ: 0978 892 973)."))
    return "+84" + rest


def display_phone(e164: str) -> str:
    """Format ``+84978892973`` as ``0978 892 973`` for people."""
    if not e164.startswith("+84"):
        return e164
    local = "0" + e164[3:]
    return f"{local[:4]} {local[4:7]} {local[7:]}"


def mask_phone(e164: str) -> str:
    """Hide all but the last three digits: ``0978 *** 973``."""
    shown = display_phone(e164)
    return shown[:4] + " *** " + shown[-3:] if len(shown) > 8 else "***"

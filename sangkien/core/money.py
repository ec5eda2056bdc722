"""Parsing of Vietnamese money amounts (VND).

Members type benefit values in many ways: ``1.500.000``, ``1,5 triệu``,
``1500000``, ``1.500.000 đ``, ``2 tỷ``, ``500 nghìn``.  Vietnamese writes
``.`` between thousands and ``,`` as the decimal mark; we also accept the
English forms where they are not ambiguous.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from sangkien.core.text import fold

MAX_VND = 10**15  # one million billion VND: above any single initiative's yearly benefit


class AmountError(ValueError):
    """Raised when a text is not a VND amount; ``str(err)`` is a translated message."""


_UNITS = {
    "": 1,
    "d": 1,
    "dong": 1,
    "vnd": 1,
    "k": 1_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "trieu": 1_000_000,
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
}
_NUMBER = re.compile(r"^(?P<num>[0-9][0-9.,\s]*)\s*(?P<unit>[a-z]*)\s*(?P<cur>d|dong|vnd)?$")




def _to_decimal(num: str, has_unit: bool) -> Decimal:
    num = num.replace(" ", "").replace("\u00a0", "")
    dots, commas = num.count("."), num.count(",")
    if dots and commas:
        # The last separator is the decimal mark: 1.500.000,5 or 1,500,000.5
        if num.rfind(",") > num.rfind("."):
            num = num.replace(".", "").replace(",", ".")
        else:
            num = num.replace(",", "")
    elif commas:
        groups = num.split(",")
        if commas == 1 and (has_unit or len(groups[1]) != 3):
            num = num.replace(",", ".")  # 1,5 triệu
        else:
            num = num.replace(",", "")  # 1,500,000
    elif dots:
        groups = num.split(".")
        if dots == 1 and (has_unit and len(groups[1]) != 3):
            pass  # 1.5 tỷ
        elif all(len(g) == 3 for g in groups[1:]):
            num = num.replace(".", "")  # 1.500.000
        elif dots == 1:
            pass  # 2.5
        else:
            raise AmountError(_("Số tiền không hợp lệ."))
    try:
        return Decimal(num)
    except InvalidOperation as exc:
        raise AmountError(_("Số tiền không hợp lệ.")) from exc


def parse_vnd(text: str | int | None) -> int | None:
    """Parse a benefit value into whole VND.

    Accepts ``1.500.000``, ``1,5 triệu``, ``1500000``, ``1.500.000 đ``,
    ``2 tỷ``, ``500 nghìn``, ``500k``.  Returns ``None`` for an empty text.

    :raises AmountError: the text is not an amount of VND, is negative or
        is larger than :data:`MAX_VND`.
    """
    if text is None:
        return None
    if isinstance(text, int):
        value = Decimal(text)
    else:
        folded = fold(str(text)).replace("\u00a0", " ")
        if not folded:
            return None
        if folded.startswith("-"):
            raise AmountError(_("Giá trị làm lợi không thể âm."))
        match = _NUMBER.match(folded)
        if not match or match.group("unit") not in _UNITS:
            raise AmountError(
                _("“%(text)s” không phải là số tiền. Ví dụ hợp lệ: 1.500.000 hoặc 1,5 triệu.")
                % {"text": str(text)[:40]}
            )
        unit = _UNITS[match.group("unit")]
        value = _to_decimal(match.group("num").strip(), has_unit=unit > 1) * unit
    if value < 0:
        raise AmountError(_("Giá trị làm lợi không thể âm."))
    if value > MAX_VND:
        raise AmountError(_("Số tiền quá lớn."))
    if value != value.to_integral_value():
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(value)

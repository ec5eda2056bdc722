"""Distinct tracking codes for bulk-loaded initiatives, without asking the database."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sangkien.initiatives.models import TRACKING_ALPHABET

# --- tracking codes ----------------------------------------------------------

_BITS = 40  # 8 characters of a 32-letter alphabet
_MASK = (1 << _BITS) - 1
_MULTIPLIERS = (0x9E3779B97F & _MASK | 1, 0xC2B2AE3D27 & _MASK | 1)


def _mix(value: int) -> int:
    """A bijection of [0, 2**40): odd multiplications and xor-shifts, each invertible."""
    for multiplier in _MULTIPLIERS:
        value = (value * multiplier) & _MASK
        value ^= value >> 19
    return value


def tracking_codes(start: int, taken: set[str]) -> Iterator[str]:
    """Distinct codes ``SK-XXXXXXXX`` for counters ``start``, ``start + 1``, …

    Distinct counters give distinct codes (:func:`_mix` is a bijection), so
    the only check needed is against ``taken`` (codes already in the
    database).  ``start`` below 2**40.
    """
    alphabet = TRACKING_ALPHABET
    for counter in itertools.count(start):
        value = _mix(counter & _MASK)
        chars = []
        for _ in range(8):
            value, digit = divmod(value, 32)
            chars.append(alphabet[digit])
        code = "SK-" + "".join(chars)
        if code not in taken:
            yield code

"""Cells that a spreadsheet will not run: one rule for every CSV and XLSX we write.

A value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(and their full-width forms, which some spreadsheets also accept) is read by
Excel, LibreOffice and Google Sheets as a formula: ``=HYPERLINK(...)``,
``-2+3+cmd|' /C calc'!A0``.  Following OWASP's "CSV Injection" guidance, such
text is prefixed with a single quote, which spreadsheets show as text.  Only
*text* is escaped: numbers, dates and booleans written as such stay numbers.

Every CSV writer of the project uses :func:`csv_writer` and :func:`safe_cell`;
XLSX writers write text with ``write_string`` under :data:`XLSX_SAFE_OPTIONS`
(formulas and URLs never inferred from text) and pass text through
:func:`safe_cell` too, so a file that is later saved as CSV stays inert.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any, TypeVar

#: Leading characters that make a spreadsheet evaluate a cell (OWASP, CSV Injection),
#: with their full-width forms.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

_T = TypeVar("_T")

#: xlsxwriter options: text is always text (never a formula or a hyperlink).
XLSX_SAFE_OPTIONS: dict[str, Any] = {"strings_to_formulas": False, "strings_to_urls": False}


def safe_cell(value: _T) -> _T | str:
    """``value`` unchanged, unless it is text a spreadsheet would run: then ``"'" + value``.

    >>> safe_cell("=SUM(A1:A9)"), safe_cell(-5), safe_cell("Nguyễn Văn A")
    ("'=SUM(A1:A9)", -5, 'Nguyễn Văn A')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_writer(fh: SupportsWrite[str]) -> Any:
    """A ``csv.writer`` on ``fh`` that quotes every cell (callers pass cells through :func:`safe_cell`)."""
    return csv.writer(fh, quoting=csv.QUOTE_ALL)

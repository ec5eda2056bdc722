"""Reading a reorganisation plan file (CSV or XLSX) into :class:`~sangkien.units.reorganisation.PlanRow`.

Columns (first row; English keys or the Vietnamese headers of docs/units.md,
any order, case and accents ignored): ``code``, ``action``, ``effective_on``,
``new_parent_code``, ``new_code``, ``new_name``, ``merge_into_code``,
``kind``.  ``action`` is one of move, rename, merge, split, dissolve, create
(or chuyển, đổi tên, sáp nhập, chia tách, giải thể, thành lập); dates are
``2025-07-01`` or ``01/07/2025`` (or a date cell).  Every bad row is reported
(:class:`~sangkien.units.reorganisation.PlanError` with its line); a file
with errors gives no rows to apply.

The file is untrusted: at most :data:`MAX_FILE_BYTES`; an XLSX is refused
before openpyxl opens it when its zip parts would decompress to more than
:data:`MAX_UNCOMPRESSED_BYTES` (zip bomb), is read in read-only streaming
mode (XML through defusedxml, which openpyxl uses when installed: no
entity expansion, no external entities), stops at
:data:`~sangkien.units.reorganisation.MAX_ROWS` rows and refuses cells over
Excel's 32,767 characters (the same limits as the initiative import,
docs/imports.md).  CSV is UTF-8 (with or without BOM) or Windows-1258, with
``,``, ``;`` or tab as delimiter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from sangkien.units.reorganisation import ACTIONS, MAX_ROWS, PlanError, PlanRow

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_CELL_CHARS = 32_767
COLUMNS = ("code", "action", "effective_on", "new_parent_code", "new_code", "new_name", "merge_into_code", "kind")
REQUIRED = ("code", "action", "effective_on")


def _fold(value: Any) -> str:
    text = unicodedata.normalize("NFD", str(value or "").strip().lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).replace("_", " ").split())


HEADER_ALIASES = {
    **{_fold(key): key for key in COLUMNS},
    "ma": "code", "ma don vi": "code", "thao tac": "action", "ngay hieu luc": "effective_on",
    "ma cap tren moi": "new_parent_code", "ma don vi cap tren moi": "new_parent_code", "ma moi": "new_code",
    "ten moi": "new_name", "sap nhap vao": "merge_into_code", "ma sap nhap vao": "merge_into_code",
    "loai": "kind", "loai don vi": "kind",
}
ACTION_ALIASES = {
    **{action: action for action in ACTIONS},
    "chuyen": "move", "doi ten": "rename", "sap nhap": "merge", "chia tach": "split", "giai the": "dissolve",
    "thanh lap": "create",
}


class PlanFileRefused(Exception):
    """The file as a whole cannot be read; ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_plan(data: bytes, *, file_name: str) -> tuple[list[PlanRow], list[PlanError]]:
    """Parse a plan file's bytes (``file_name`` decides CSV or XLSX) into rows and the errors of each bad row.

    :raises PlanFileRefused: too big, not a CSV/XLSX, unreadable, no header,
        a missing column, or more than ``MAX_ROWS`` rows.
    """
    if len(data) > MAX_FILE_BYTES:
        raise PlanFileRefused(_("Tệp lớn quá %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    name = file_name.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        table = _csv_rows(data)
    else:
        raise PlanFileRefused(_("Chỉ nhận tệp .csv hoặc .xlsx."))
    return _parse(table)


def _parse(table: Iterator[tuple[int, list[Any]]]) -> tuple[list[PlanRow], list[PlanError]]:
    header = None
    for line, cells in table:
        if any(_present(c) for c in cells):
            header = (line, cells)
            break
    if header is None:
        raise PlanFileRefused(_("Tệp rỗng."))
    keys = [HEADER_ALIASES.get(_fold(c)) for c in header[1]]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise PlanFileRefused(_("Tệp thiếu cột: %(cols)s (dòng tiêu đề: %(line)s).")
                              % {"cols": ", ".join(missing), "line": header[0]})
    rows: list[PlanRow] = []
    errors: list[PlanError] = []
    for line, cells in table:
        if not any(_present(c) for c in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise PlanFileRefused(_("Phương án có quá %(n)s dòng.") % {"n": MAX_ROWS})
        values = {key: cells[i] if i < len(cells) else None for i, key in enumerate(keys) if key}
        row, error = _row(values, line)
        if error:
            errors.append(error)
        elif row:
            rows.append(row)
    return rows, errors


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value) or ""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no instant
        except ValueError:
            continue
    return None


def _row(values: dict[str, Any], line: int) -> tuple[PlanRow | None, PlanError | None]:
    texts = {key: _text(values.get(key)) for key in COLUMNS if key != "effective_on"}
    code = texts["code"] or ""
    if any(len(str(v)) > MAX_CELL_CHARS for v in values.values() if v is not None):
        return None, PlanError(line, code[:40], _("ô dài quá %(n)s ký tự") % {"n": MAX_CELL_CHARS})
    problems = []
    if not code:
        problems.append(_("thiếu mã đơn vị"))
    action = ACTION_ALIASES.get(_fold(texts["action"]))
    if action is None:
        problems.append(_("thao tác “%(action)s” không hợp lệ (move, rename, merge, split, dissolve, create)")
                        % {"action": texts["action"] or ""})
    effective_on = _date(values.get("effective_on"))
    if effective_on is None:
        problems.append(_("ngày hiệu lực “%(value)s” không hợp lệ: dùng 2025-07-01 hoặc 01/07/2025")
                        % {"value": _text(values.get("effective_on")) or ""})
    if problems:
        return None, PlanError(line, code[:40], "; ".join(problems))
    assert action is not None and effective_on is not None
    return PlanRow(code=code, action=action, effective_on=effective_on, new_parent_code=texts["new_parent_code"],
                   new_code=texts["new_code"], new_name=texts["new_name"], merge_into_code=texts["merge_into_code"],
                   kind=texts["kind"], line=line), None


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
    if "\x00" in text:
        raise PlanFileRefused(_("Tệp CSV không đọc được (có ký tự nhị phân)."))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise PlanFileRefused(_("Tệp CSV không đọc được (dòng %(line)s).") % {"line": reader.line_num}) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise PlanFileRefused(_("Tệp không phải là tệp Excel (.xlsx) hợp lệ.")) from exc
    if total > MAX_UNCOMPRESSED_BYTES:
        raise PlanFileRefused(_("Tệp Excel giải nén ra quá lớn; hãy lưu lại tệp chỉ với trang phương án."))
    from openpyxl import load_workbook  # imported here: only the plan upload needs it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise PlanFileRefused(_("Tệp không phải là tệp Excel (.xlsx) hợp lệ.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 20:
                raise PlanFileRefused(_("Phương án có quá %(n)s dòng.") % {"n": MAX_ROWS})
            yield number, list(cells)
    finally:
        workbook.close()

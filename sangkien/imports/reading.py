"""Reading an uploaded table (XLSX or CSV) row by row, in bounded memory.

XLSX is read with python-calamine (a Rust reader, ten times faster than
openpyxl) when the sheet's estimated footprint (:func:`calamine_footprint`)
fits ``SANGKIEN_IMPORT_FAST_READER_MB`` — calamine holds a whole sheet in
memory, every cell of its rectangle, each shared string copied per cell —
else with openpyxl in read-only mode (streamed, never the whole sheet in
memory); both give the same cells (tests/imports/test_readers.py).  CSV is decoded as UTF-8 (with or without BOM) or, failing
that, Windows-1258 (Vietnamese Windows), with ``,``, ``;`` or tab as the
delimiter.  The header row is the first of the first ten rows with at least
three known headers; rows above it (the template's title) are kept for the
result workbook.

A hostile file is refused within fixed memory and time (issue 9.2): before
either reader opens an XLSX, :func:`inspect_xlsx` reads only the zip's directory
and the first bytes of each sheet, and refuses a file whose parts would
decompress to more than ``SANGKIEN_IMPORT_MAX_UNCOMPRESSED_MB`` (zip bombs),
whose shared strings exceed ``SANGKIEN_IMPORT_MAX_SHARED_STRINGS_MB`` (one huge
string), or whose sheet declares more rows or columns than a file may hold.
XML is parsed through defusedxml (openpyxl uses it when installed) or by
calamine (quick-xml, which expands no entity), so entity expansion
("billion laughs") and external entities (XXE) are refused.
While reading, every row counts against the limit, blank ones too (a single
row at line 5,000,000 is refused at the limit, not read to the end), and no
cell may be longer than Excel's own 32,767 characters.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

from sangkien.core.exceptions import DomainError
from sangkien.imports.columns import (
    BY_KEY,
    EXAMPLE_MARK,
    REQUIRED_HEADERS,
    fold_header,
    header_aliases,
)

#: What a malformed or hostile XML part raises while openpyxl parses it (through defusedxml).
XML_ERRORS: tuple[type[Exception], ...] = (DefusedXmlException, SyntaxError)

HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 60
#: Excel's own limit on the characters of one cell.
MAX_CELL_CHARS = 32_767
#: Blank rows tolerated beyond the data-row limit (a template with empty formatted rows).
BLANK_ROW_ALLOWANCE = 10_000


def max_rows() -> int:
    """Largest number of data rows one file may hold (``SANGKIEN_IMPORT_MAX_ROWS``)."""
    return int(getattr(settings, "SANGKIEN_IMPORT_MAX_ROWS", 200_000))


def max_sheet_rows() -> int:
    """Most rows read from one sheet, blank ones included: the data limit plus an allowance."""
    return max_rows() + HEADER_SEARCH_ROWS + BLANK_ROW_ALLOWANCE


def _limit_bytes(name: str, default_mb: int) -> int:
    return int(getattr(settings, name, default_mb)) * 1024 * 1024


class FileRefused(DomainError):
    """The file as a whole cannot be read (format, missing columns, too many rows)."""


@dataclass
class SourceRow:
    """One data row: ``number`` as the officer sees it in the sheet (1-based),
    ``values`` by column key, ``cells`` as read (for the result workbook)."""

    number: int
    values: dict[str, Any]
    cells: list[Any]
    skip: bool = False  # an example or blank row: not checked, copied to the result as it is


@dataclass
class Table:
    """An opened table: its header, the column key of each header cell, and rows."""

    headers: list[Any]
    keys: list[str | None]
    header_row: int
    prelude: list[list[Any]] = field(default_factory=list)
    estimated_rows: int = 0
    _rows: Iterator[tuple[int, list[Any]]] | None = None
    _closer: Any = None

    def rows(self) -> Iterator[SourceRow]:
        """Every row below the header; blank and example rows come with ``skip`` set.

        :raises FileRefused: more than :func:`max_rows` data rows.
        """
        limit = max_rows()
        count = 0
        example = {fold_header(EXAMPLE_MARK), fold_header(_(EXAMPLE_MARK)), "vd", "example"}
        row_no_index = self.keys.index("row_no") if "row_no" in self.keys else None
        named = [(i, key) for i, key in enumerate(self.keys) if key]  # the columns read, by position
        width = named[-1][0] + 1 if named else 0
        assert self._rows is not None
        for number, cells in self._rows:
            if not any(_present(c) for c in cells):
                yield SourceRow(number=number, values={}, cells=[], skip=True)
                continue
            if row_no_index is not None and row_no_index < len(cells) and \
                    fold_header(cells[row_no_index]) in example:
                yield SourceRow(number=number, values={}, cells=cells, skip=True)
                continue
            count += 1
            if count > limit:
                raise FileRefused(_("Tệp có quá %(n)s dòng; hãy chia thành nhiều tệp.") % {"n": f"{limit:,}".replace(",", ".")})
            if len(cells) >= width:  # every column read is there (always so from calamine: rows are padded)
                values = {key: cells[i] for i, key in named}
            else:
                values = {key: cells[i] if i < len(cells) else None for i, key in named}
            yield SourceRow(number=number, values=values, cells=cells)

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise _CellTooLong
        if "\x00" in value:  # never typed (a broken export); PostgreSQL refuses it in text and JSON (was a 500)
            value = value.replace("\x00", "")
        if not value.isascii():
            return unicodedata.normalize("NFC", value)
    return value


class _CellTooLong(Exception):
    """A cell longer than :data:`MAX_CELL_CHARS`; turned into :class:`FileRefused` with its row."""


def _too_many_rows() -> FileRefused:
    return FileRefused(_("Tệp có quá %(n)s dòng (kể cả dòng trống); hãy chia thành nhiều tệp.")
                       % {"n": _group(max_sheet_rows())})


def _group(number: int) -> str:
    return f"{number:,}".replace(",", ".")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+\d+:)?([A-Z]+)(\d+)\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def inspect_xlsx(path: Path) -> None:
    """Refuse an XLSX that would take unbounded memory or time, reading only its zip directory
    and the first 64 KB of each sheet.

    Limits (settings): ``SANGKIEN_IMPORT_MAX_UNCOMPRESSED_MB`` (all parts together, default 300),
    ``SANGKIEN_IMPORT_MAX_SHARED_STRINGS_MB`` (default 50); a sheet's declared dimension at most
    :func:`max_sheet_rows` rows and 16,384 columns.

    :raises FileRefused: not a zip, or over one of the limits (the message says which).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if len(members) > 10_000 or total > _limit_bytes("SANGKIEN_IMPORT_MAX_UNCOMPRESSED_MB", 300):
                raise FileRefused(_("Tệp Excel giải nén ra quá lớn (%(mb)s MB); hãy chia thành nhiều tệp.")
                                  % {"mb": _group(total >> 20)})
            for member in members:
                name = member.filename.lower()
                if name.endswith("sharedstrings.xml") and \
                        member.file_size > _limit_bytes("SANGKIEN_IMPORT_MAX_SHARED_STRINGS_MB", 50):
                    raise FileRefused(_("Tệp Excel có phần chữ quá lớn (%(mb)s MB); hãy kiểm tra các ô "
                                        "chứa văn bản rất dài.") % {"mb": _group(member.file_size >> 20)})
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(member) as fh:
                        head = fh.read(64 * 1024)
                    match = _DIMENSION.search(head)
                    if match and int(match.group(2)) > max_sheet_rows():
                        raise FileRefused(_("Trang tính khai báo %(n)s dòng, quá giới hạn %(max)s dòng; hãy "
                                            "xoá các dòng trống ở cuối hoặc chia tệp.")
                                          % {"n": _group(int(match.group(2))), "max": _group(max_sheet_rows())})
                    if match and _column_number(match.group(1)) > 16_384:
                        raise FileRefused(_("Trang tính khai báo quá nhiều cột."))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise FileRefused(_("Không đọc được tệp Excel. Hãy lưu tệp dưới dạng .xlsx (Excel 2007 trở lên).")) from exc


def open_table(path: str | Path, file_format: str) -> Table:
    """Open ``path`` (``file_format`` ``"xlsx"`` or ``"csv"``) and find its header.

    :raises FileRefused: not a readable file of that format, or no header row
        with the required columns.
    """
    if file_format == "xlsx":
        return _open_xlsx(Path(path))
    return _open_csv(Path(path))


def _find_header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, list[Any], list[str | None], list[list[Any]]]:
    aliases = header_aliases()
    prelude: list[list[Any]] = []
    for _i in range(HEADER_SEARCH_ROWS):
        try:
            number, cells = next(rows)
        except StopIteration:
            break
        keys = [aliases.get(fold_header(c)) for c in cells]
        if sum(1 for k in keys if k) >= 3:
            seen: set[str] = set()
            unique: list[str | None] = []
            for key in keys:  # a repeated header: the first one wins
                unique.append(key if key and key not in seen else None)
                if key:
                    seen.add(key)
            missing = [BY_KEY[k].title() for k in REQUIRED_HEADERS if k not in seen]
            if missing:
                raise FileRefused(_("Tệp thiếu cột: %(cols)s. Hãy dùng tệp mẫu của chương trình.")
                                  % {"cols": ", ".join(missing)})
            return number, cells, unique, prelude
        prelude.append(cells)
    raise FileRefused(_("Không tìm thấy dòng tiêu đề (Họ và tên tác giả, Tên sáng kiến…) trong 10 dòng đầu. "
                        "Hãy dùng tệp mẫu của chương trình."))


def _open_xlsx(path: Path) -> Table:
    inspect_xlsx(path)
    if calamine_footprint(path) <= _limit_bytes("SANGKIEN_IMPORT_FAST_READER_MB", 250):
        return _open_xlsx_calamine(path)
    return _open_xlsx_openpyxl(path)


def _refused_xlsx() -> FileRefused:
    return FileRefused(_("Không đọc được tệp Excel. Hãy lưu tệp dưới dạng .xlsx (Excel 2007 trở lên)."))


def _data_sheet_first(titles: list[str]) -> list[int]:
    """Indexes of ``titles``, the data sheet ("Sáng kiến", in the language of the request) first."""
    data_title = fold_header(_("Sáng kiến"))
    return sorted(range(len(titles)), key=lambda i: fold_header(titles[i]) != data_title)


def _open_xlsx_calamine(path: Path) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = [m.name for m in workbook.sheets_metadata
                  if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
    except (CalamineError, OSError, ValueError) as exc:
        raise _refused_xlsx() from exc
    last_error: FileRefused | None = None
    for index in _data_sheet_first(sheets):
        try:
            sheet = workbook.get_sheet_by_name(sheets[index])
        except (CalamineError, ValueError) as exc:
            workbook.close()
            raise _refused_xlsx() from exc
        rows = _calamine_rows(sheet)
        try:
            header_row, headers, keys, prelude = _find_header(rows)
        except FileRefused as exc:
            last_error = exc
            continue
        end = sheet.end
        estimated = max(0, (end[0] + 1 if end else 0) - header_row)
        return Table(headers=headers, keys=keys, header_row=header_row, prelude=prelude,
                     estimated_rows=estimated, _rows=rows, _closer=workbook.close)
    workbook.close()
    raise last_error or FileRefused(_("Tệp Excel không có trang tính nào."))


def _open_xlsx_openpyxl(path: Path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    source = path.open("rb")  # ours to close, also when openpyxl fails half-way through opening
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, zlib.error,
            *XML_ERRORS) as exc:  # type: ignore[misc]  # mypy does not read a starred tuple here
        source.close()
        raise _refused_xlsx() from exc
    worksheets = workbook.worksheets
    last_error: FileRefused | None = None
    for index in _data_sheet_first([ws.title for ws in worksheets]):
        sheet = worksheets[index]
        if getattr(sheet, "sheet_state", "visible") != "visible":
            continue
        rows = _xlsx_rows(sheet)
        try:
            header_row, headers, keys, prelude = _find_header(rows)
        except FileRefused as exc:
            last_error = exc
            continue
        estimated = max(0, (sheet.max_row or 0) - header_row)
        def close(workbook: Any = workbook) -> None:
            workbook.close()
            source.close()

        return Table(headers=headers, keys=keys, header_row=header_row, prelude=prelude,
                     estimated_rows=estimated, _rows=rows, _closer=close)
    workbook.close()
    source.close()
    raise last_error or FileRefused(_("Tệp Excel không có trang tính nào."))


#: Bytes calamine keeps per cell of a sheet's rectangle (its ``Data`` value), and per string cell
#: (the allocation of its own copy of the text).
_CELL_BYTES, _STRING_BYTES = 32, 24
#: The row of a row or of a cell (and a few other attributes ending in "r": more, never less).
_REF = re.compile(rb'r="[A-Z]{0,4}(\d{1,9})"')
_COLUMN = re.compile(rb'r="([A-Z]{1,4})\d')
_SHARED_CELL = re.compile(rb't="s"[^>]*>\s*<(?:\w+:)?v>\s*(\d{1,10})\s*<')
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si\b(?:[^>]*/>|[^>]*>(.*?)</(?:\w+:)?si>)", re.S)
_CHUNK = 1 << 20


def calamine_footprint(path: Path) -> float:
    """Bytes python-calamine would hold for the largest worksheet of ``path`` (an upper estimate).

    calamine loads a sheet as the dense rectangle up to its last cell
    (:data:`_CELL_BYTES` a cell, empty ones too) and copies each shared
    string into every cell that uses it: one cell far away, or one long
    string used by a million cells, would take gigabytes out of a small file.
    Every worksheet part is scanned in 1 MB pieces (fixed memory, about 1.5 s
    for 100,000 rows); the shared strings part (at most
    ``SANGKIEN_IMPORT_MAX_SHARED_STRINGS_MB``, checked by :func:`inspect_xlsx`)
    is read whole.  The sheet's own XML size stands for its inline strings
    and numbers.  ``inf`` when a sheet has more rows than a file may hold (the
    streaming reader then refuses it at the limit) or a cell holds an error
    value (``#DIV/0!``, which calamine reads as empty: openpyxl keeps it, and
    the officer reads why the cell is refused).
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        lengths: list[int] = []
        for member in members:
            if member.filename.lower().endswith("sharedstrings.xml"):
                lengths = [len(m or b"") for m in _SHARED_STRING.findall(archive.read(member))]
        longest = max(lengths, default=0)
        largest = 0.0
        for member in members:
            name = member.filename.lower()
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            max_row = max_col = shared_cells = shared_bytes = 0
            tail = b""
            with archive.open(member) as fh:
                while chunk := fh.read(_CHUNK):
                    data = tail + chunk
                    cut = data.rfind(b"<c ")
                    if cut <= 0:
                        cut = len(data)
                    data, tail = data[:cut], data[cut:]
                    shared_cells, shared_bytes, max_row, max_col = _scan(
                        data, lengths, longest, shared_cells, shared_bytes, max_row, max_col)
            shared_cells, shared_bytes, max_row, max_col = _scan(
                tail, lengths, longest, shared_cells, shared_bytes, max_row, max_col)
            if max_row > max_sheet_rows():
                return float("inf")
            footprint = (max_row * max_col * _CELL_BYTES + shared_bytes + shared_cells * _STRING_BYTES
                         + member.file_size)
            largest = max(largest, footprint)
    return largest


def _scan(data: bytes, lengths: list[int], longest: int, shared_cells: int, shared_bytes: int, max_row: int,
          max_col: int) -> tuple[int, int, int, int]:
    numbers = _REF.findall(data)
    if numbers:
        max_row = max(max_row, *map(int, numbers))
    letters = set(_COLUMN.findall(data))
    if letters:
        max_col = max(max_col, *map(_column_number, letters))
    if b't="e"' in data:  # a formula's error value: openpyxl reads "#DIV/0!", calamine an empty cell
        max_row = max_sheet_rows() + 1
    count = len(lengths)
    for index in _SHARED_CELL.findall(data):
        i = int(index)
        shared_bytes += lengths[i] if i < count else longest
        shared_cells += 1
    return shared_cells, shared_bytes, max_row, max_col


def _calamine_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """Rows of a calamine ``sheet`` as :func:`_xlsx_rows` gives them from openpyxl: numbered from
    the sheet's first row, :data:`MAX_COLUMNS` values from column A, ``None`` for an empty cell,
    whole numbers as ``int``, dates as ``datetime``.

    :raises FileRefused: more than :func:`max_sheet_rows` rows, a cell longer than
        :data:`MAX_CELL_CHARS`, or a part of the file that cannot be read.
    """
    from python_calamine import CalamineError

    limit = max_sheet_rows()
    start = sheet.start
    empty = [None] * MAX_COLUMNS
    if start is None:
        return
    lead = [None] * start[1]  # calamine's rows begin at row 1 but at the first column used
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(), start=1):
            if number > limit:
                raise _too_many_rows()
            cells = [(_nfc("NFC", c) if len(c) <= MAX_CELL_CHARS and "\x00" not in c else _clean_cell(c))
                     if c.__class__ is str and c else _from_calamine(c)
                     for c in (lead + values if lead else values)[:MAX_COLUMNS]]  # text: _clean_cell, inline
            if len(cells) < MAX_COLUMNS:
                cells.extend(empty[len(cells):])
            yield number, cells
    except _CellTooLong as exc:
        raise FileRefused(_("Dòng %(n)s có ô dài quá %(max)s ký tự.")
                          % {"n": _group(number), "max": _group(MAX_CELL_CHARS)}) from exc
    except (CalamineError, ValueError) as exc:
        raise FileRefused(_("Tệp Excel hỏng ở dòng %(n)s; hãy mở và lưu lại tệp.") % {"n": _group(number)}) from exc


_nfc = unicodedata.normalize


def _from_calamine(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return _clean_cell(value) if value else None
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 (a date, as openpyxl gives it)
    return value


def _xlsx_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """Rows of ``sheet``; every row read counts, blank ones too.

    :raises FileRefused: more than :func:`max_sheet_rows` rows, a cell longer than
        :data:`MAX_CELL_CHARS`, or a part of the file that cannot be read.
    """
    limit = max_sheet_rows()
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > limit:
                raise _too_many_rows()
            yield number, [_clean_cell(c) for c in row]
    except _CellTooLong as exc:
        raise FileRefused(_("Dòng %(n)s có ô dài quá %(max)s ký tự.")
                          % {"n": _group(number), "max": _group(MAX_CELL_CHARS)}) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, *XML_ERRORS) as exc:  # type: ignore[misc]
        raise FileRefused(_("Tệp Excel hỏng ở dòng %(n)s; hãy mở và lưu lại tệp.") % {"n": _group(number)}) from exc


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1258"
    return "utf-8"


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


def _open_csv(path: Path) -> Table:
    encoding = _detect_encoding(path)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="replace")
    first = text.readline()
    text.seek(0)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if not counts[delimiter]:
        text.close()
        raise FileRefused(_("Không đọc được tệp CSV: dòng đầu không có dấu phân cách (, hoặc ;)."))
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        limit = max_sheet_rows()
        try:
            for number, record in enumerate(reader, start=1):
                if number > limit:
                    raise _too_many_rows()
                yield number, [_clean_cell(c) for c in record[:MAX_COLUMNS]]
        except _CellTooLong as exc:
            raise FileRefused(_("Dòng %(n)s có ô dài quá %(max)s ký tự.")
                              % {"n": _group(reader.line_num), "max": _group(MAX_CELL_CHARS)}) from exc
        except csv.Error as exc:
            raise FileRefused(_("Tệp CSV hỏng ở dòng %(n)s.") % {"n": reader.line_num}) from exc

    iterator = rows()
    try:
        header_row, headers, keys, prelude = _find_header(iterator)
    except FileRefused:
        text.close()
        raise
    estimated = max(0, _count_lines(path) - header_row)
    return Table(headers=headers, keys=keys, header_row=header_row, prelude=prelude,
                 estimated_rows=estimated, _rows=iterator, _closer=text.close)

"""The officer's Excel template and the result workbook (xlsxwriter).

The template has three sheets: "Sáng kiến" (one row per initiative, drop-down
lists for sector block, field, recognition form, trade secret and the
grassroots units of the officer's subtree, two example rows), "Hướng dẫn"
(what every column means) and a hidden "Danh mục" holding the lists.  The
result workbook is the uploaded sheet again, row for row, with two columns in
front — the errors to fix and the tracking code of rows saved — plus the
same lists and notes, so the officer fixes it and uploads it again.
Everything is written in xlsxwriter's ``constant_memory`` mode: memory does
not grow with the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sangkien.core.clock import LOCAL_TZ, format_deadline
from sangkien.core.spreadsheet import XLSX_SAFE_OPTIONS, csv_writer, safe_cell
from sangkien.imports.columns import CODE_HEADER, COLUMNS, ERROR_HEADER, EXAMPLE_MARK, Column
from sangkien.imports.reading import SourceRow, Table, max_rows
from sangkien.initiatives.models import RecognitionForm, SectorBlock
from sangkien.programmes.models import Field, Phase, Programme
from sangkien.units.models import Unit

DATA_SHEET = gettext_noop("Sáng kiến")  # sheet names: msgids, translated when written
NOTES_SHEET = gettext_noop("Hướng dẫn")
LISTS_SHEET = gettext_noop("Danh mục")
MAX_UNITS_IN_LIST = 50_000
WORKBOOK_OPTIONS = {"constant_memory": True, **XLSX_SAFE_OPTIONS,
                    "strings_to_numbers": False}


@dataclass
class Lists:
    """The drop-down lists: one column each on the hidden sheet."""

    sectors: list[str]
    fields: list[str]
    recognitions: list[str]
    units: list[str]
    yes_no: list[str]

    @classmethod
    def for_scope(cls, scope: Unit) -> Lists:
        units = (scope.subtree().filter(is_active=True, numchild=0)
                 .order_by("name").values_list("name", "code")[:MAX_UNITS_IN_LIST])
        return cls(
            sectors=[str(label) for _v, label in SectorBlock.choices],
            fields=list(Field.objects.values_list("name", flat=True)),
            recognitions=[str(label) for value, label in RecognitionForm.choices if value],
            units=[f"{name} ({code})" for name, code in units.iterator(chunk_size=5000)],
            yes_no=[_("Có"), _("Không")],
        )

    def ranges(self) -> dict[str, str]:
        """Column key → sheet range for data validation (only non-empty lists)."""
        out = {}
        for letter, key, values in (("A", "sector_block", self.sectors), ("B", "field", self.fields),
                                    ("C", "recognition_form", self.recognitions), ("D", "unit", self.units),
                                    ("E", "is_trade_secret", self.yes_no)):
            if values:
                out[key] = f"='{_(LISTS_SHEET)}'!${letter}$2:${letter}${len(values) + 1}"
        return out


class Styles:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True, "font_color": "#555555"})
        self.header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                                       "valign": "top"})
        self.required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True,
                                         "valign": "top"})
        self.error_header = book.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF",
                                             "border": 1, "text_wrap": True, "valign": "top"})
        self.example = book.add_format({"italic": True, "font_color": "#7F7F7F"})
        self.error = book.add_format({"font_color": "#C00000", "text_wrap": True, "valign": "top"})
        self.code = book.add_format({"font_color": "#0B5D1E", "bold": True})
        self.text = book.add_format({"num_format": "@"})
        self.date = book.add_format({"num_format": "dd/mm/yyyy"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})


def _window_text(phase: Phase | None) -> str:
    if phase is None:
        return _("hiện không mở nhận")
    start = formats.date_format(phase.submission_start.astimezone(LOCAL_TZ), "H:i d/m/Y")
    end = format_deadline(phase.submission_end)  # "24h ngày 20/04/2021", as the letters say
    return _("%(start)s – %(end)s") % {"start": start, "end": end}


def _effect_text(phase: Phase | None) -> str:
    if phase is None or not (phase.effect_start or phase.effect_end):
        return _("không giới hạn")
    fmt = "%d/%m/%Y"
    return _("%(start)s – %(end)s") % {
        "start": phase.effect_start.strftime(fmt) if phase.effect_start else "…",
        "end": phase.effect_end.strftime(fmt) if phase.effect_end else "…"}


def _write_lists(book: Any, lists: Lists) -> None:
    sheet = book.add_worksheet(_(LISTS_SHEET))
    headers = [_("Khối"), _("Lĩnh vực"), _("Hình thức công nhận"), _("Công đoàn cơ sở"), _("Có/Không")]
    columns = [lists.sectors, lists.fields, lists.recognitions, lists.units, lists.yes_no]
    sheet.write_row(0, 0, headers)
    longest = max(len(c) for c in columns)
    for i in range(longest):  # row by row: constant_memory writes rows in order
        for j, values in enumerate(columns):
            if i < len(values):
                sheet.write_string(i + 1, j, values[i])
    sheet.hide()


def _write_notes(book: Any, styles: Styles, *, programme: Programme, phase: Phase | None, scope: Unit) -> None:
    sheet = book.add_worksheet(_(NOTES_SHEET))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 80)
    sheet.set_column(3, 3, 30)
    lines = [
        (_("MẪU TỔNG HỢP SÁNG KIẾN — HƯỚNG DẪN"), styles.title),
        (_("Chương trình: %(name)s") % {"name": programme.name}, None),
        (_("Đơn vị: %(name)s (%(code)s) — chỉ nhận sáng kiến của các đơn vị thuộc đơn vị này.")
         % {"name": scope.name, "code": scope.code}, None),
        (_("Thời gian nhận sáng kiến: %(window)s. Hiệu quả của sáng kiến phải nằm trong khoảng: %(effect)s.")
         % {"window": _window_text(phase), "effect": _effect_text(phase)}, None),
        ("", None),
        (_("1. Mỗi dòng của trang “Sáng kiến” là một sáng kiến. Cột có dấu * là bắt buộc."), None),
        (_("2. Các dòng có STT là “Ví dụ” là dòng mẫu, được bỏ qua khi nhập; có thể xoá hoặc ghi đè."), None),
        (_("3. Ngày ghi theo dạng dd/mm/yyyy (ví dụ 15/03/2021). Số tiền ghi bằng đồng: 1.500.000 hoặc 1,5 triệu."),
         None),
        (_("4. Sau khi tải lên, hệ thống kiểm tra từng dòng và cho xem trước; bạn chọn lưu khi tệp hết lỗi "
           "hoặc chỉ lưu các dòng hợp lệ. Tệp kết quả có cột “Lỗi cần sửa”: sửa rồi tải lên lại."), None),
        (_("5. Tải lên lại cùng tệp hoặc tệp đã sửa không tạo sáng kiến trùng: sáng kiến cùng tác giả, cùng tên "
           "đã có sẽ được bỏ qua. Một người có tên trong nhiều dòng được tính là một người tham gia."), None),
        (_("6. Tối đa %(n)s dòng mỗi tệp. Có thể lưu tệp dưới dạng .xlsx hoặc .csv (UTF-8).")
         % {"n": f"{max_rows():,}".replace(",", ".")}, None),
        ("", None),
    ]
    row = 0
    for text, style in lines:
        if style is not None:
            sheet.write_string(row, 0, text, style)
        elif text:
            sheet.write_string(row, 0, text)
        row += 1
    sheet.write_row(row, 0, [_("Cột"), _("Bắt buộc"), _("Giải thích"), _("Ví dụ")], styles.header)
    row += 1
    for column in COLUMNS:
        sheet.write_string(row, 0, column.title())
        sheet.write_string(row, 1, _("Có") if column.required else "")
        sheet.write_string(row, 2, str(column.note), styles.wrap)
        sheet.write_string(row, 3, column.sample())
        row += 1


def _prepare_data_sheet(sheet: Any, styles: Styles, columns: list[Column | None], *, offset: int) -> None:
    for index, column in enumerate(columns):
        if column is None:
            continue
        sheet.set_column(index + offset, index + offset, column.width, styles.text if column.text_format else None)


def _add_validations(sheet: Any, lists: Lists, columns: list[Column | None], *, first_row: int,
                     offset: int) -> None:
    ranges = lists.ranges()
    last_row = first_row + max_rows()
    for index, column in enumerate(columns):
        if column is None:
            continue
        col = index + offset
        options: dict[str, Any] = {
            "input_title": column.title()[:32],
            "input_message": str(column.note)[:255],
        }
        if column.key in ranges:
            # Units may also be typed as a code: a warning, not a stop, for them.
            options |= {"validate": "list", "source": ranges[column.key], "ignore_blank": True,
                        "error_type": "warning" if column.key == "unit" else "stop",
                        "error_title": _("Giá trị không có trong danh sách")[:32],
                        "error_message": _("Hãy chọn trong danh sách.")}
        else:
            options |= {"validate": "any"}
        sheet.data_validation(first_row, col, last_row, col, options)


def build_template(fh: IO[bytes], *, programme: Programme, phase: Phase | None, scope: Unit) -> None:
    """Write the template for ``scope``'s officer to the binary file ``fh``."""
    book = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS | {"in_memory": False})
    styles = Styles(book)
    lists = Lists.for_scope(scope)
    sheet = book.add_worksheet(_(DATA_SHEET))
    columns: list[Column | None] = list(COLUMNS)
    _prepare_data_sheet(sheet, styles, columns, offset=0)
    sheet.write_string(0, 0, _("MẪU TỔNG HỢP SÁNG KIẾN — %(programme)s") % {"programme": programme.name},
                       styles.title)
    sheet.write_string(1, 0, _("Đơn vị: %(unit)s. Cột có dấu * là bắt buộc; xem trang “Hướng dẫn”.")
                       % {"unit": scope.name}, styles.subtitle)
    for index, column in enumerate(COLUMNS):
        sheet.write_string(2, index, column.label(), styles.required if column.required else styles.header)
    sheet.set_row(2, 32)
    for row, example in enumerate(_examples(lists, scope), start=3):
        for index, column in enumerate(COLUMNS):
            value = example.get(column.key, "")
            if value:
                sheet.write_string(row, index, value, styles.example)
    sheet.freeze_panes(3, 2)
    _add_validations(sheet, lists, columns, first_row=3, offset=0)
    _write_notes(book, styles, programme=programme, phase=phase, scope=scope)
    _write_lists(book, lists)
    book.close()


def _examples(lists: Lists, scope: Unit) -> list[dict[str, str]]:
    mark = _(EXAMPLE_MARK)
    unit = lists.units[0] if lists.units else f"{scope.name} ({scope.code})"
    first = {c.key: c.sample() for c in COLUMNS} | {"row_no": mark, "unit": unit}
    second = {
        "row_no": mark, "author_full_name": _("Lê Văn Nam"), "author_email": "nam.le@example.vn",
        "author_job": _("Giáo viên"), "unit": lists.units[-1] if lists.units else unit,
        "sector_block": str(SectorBlock.PUBLIC.label), "title": _("Sổ theo dõi bài tập về nhà trên điện thoại"),
        "description": _("Giáo viên ghi bài tập trên bảng tính dùng chung; phụ huynh xem mỗi tối."),
        "benefit_vnd": "500.000", "recognition_form": str(RecognitionForm.RECOGNITION_DECISION.label),
        "recognised_by": _("Hiệu trưởng nhà trường"), "recognised_on": "15/03/2021", "is_trade_secret": "",
    }
    return [first, second]


class ResultWriter:
    """The uploaded table again, with "errors" and "tracking code" in front.

    XLSX in, XLSX out (with the template's lists and notes); CSV in, CSV out
    (UTF-8 with BOM, so Excel shows the accents).
    """

    def __init__(self, fh: IO[Any], *, file_format: str, table: Table, programme: Programme,
                 phase: Phase | None, scope: Unit) -> None:
        self.file_format = file_format
        self.table = table
        self.row = 0
        headers = [_(ERROR_HEADER), _(CODE_HEADER)]
        kept = [i for i, key in enumerate(table.keys) if key not in ("errors", "tracking_code")]
        self.kept = kept
        self.whole = kept == list(range(len(kept)))
        if file_format == "csv":
            fh.write("\ufeff")
            self.csv = csv_writer(fh)
            self.csv.writerow([safe_cell(h) for h in headers + [_cell_text(table.headers[i]) for i in kept]])
            return
        self.book = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
        self.styles = Styles(self.book)
        self.sheet = self.book.add_worksheet(_(DATA_SHEET))
        by_key = {c.key: c for c in COLUMNS}
        columns = [by_key.get(table.keys[i] or "") for i in kept]
        self.sheet.set_column(0, 0, 45, self.styles.error)
        self.sheet.set_column(1, 1, 14)
        _prepare_data_sheet(self.sheet, self.styles, columns, offset=2)
        for cells in table.prelude:
            self._write_cells(self.row, [cells[i] if i < len(cells) else None for i in kept], None)
            self.row += 1
        self.sheet.write_string(self.row, 0, headers[0], self.styles.error_header)
        self.sheet.write_string(self.row, 1, headers[1], self.styles.header)
        for j, i in enumerate(kept):
            self.sheet.write(self.row, j + 2, _cell_text(table.headers[i]), self.styles.header)
        self.sheet.freeze_panes(self.row + 1, 2)
        self.row += 1
        lists = Lists.for_scope(scope)
        _add_validations(self.sheet, lists, columns, first_row=self.row, offset=2)
        self._notes = (programme, phase, scope, lists)

    def write(self, source: SourceRow, errors: str, code: str) -> None:
        """One row, on the same row number as in the uploaded sheet (rows in file order)."""
        if self.whole and len(source.cells) >= len(self.kept):  # every column kept (nearly always)
            cells = source.cells[:len(self.kept)]
        else:
            cells = [source.cells[i] if i < len(source.cells) else None for i in self.kept]
        if self.file_format == "csv":
            self.csv.writerow([safe_cell(errors), safe_cell(code), *[safe_cell(_cell_text(c)) for c in cells]])
            return
        row = source.number - 1
        if errors:
            self.sheet.write_string(row, 0, errors, self.styles.error)
        if code:
            self.sheet.write_string(row, 1, code, self.styles.code)
        self._write_cells(row, cells, 2)

    def _write_cells(self, row: int, cells: list[Any], offset: int | None) -> None:
        start = 2 if offset is None else offset
        write_string = self.sheet.write_string
        for col, value in enumerate(cells, start=start):
            if value is None or value == "":
                continue
            if type(value) is str:  # nearly every cell: the fast path
                write_string(row, col, value)
            elif isinstance(value, bool):
                self.sheet.write_boolean(row, col, value)
            elif isinstance(value, dt.datetime | dt.date):
                self.sheet.write_datetime(row, col, value, self.styles.date)
            elif isinstance(value, int | float):
                self.sheet.write_number(row, col, value)
            else:
                self.sheet.write_string(row, col, str(value))

    def close(self) -> None:
        if self.file_format == "csv":
            return
        programme, phase, scope, lists = self._notes
        _write_notes(self.book, self.styles, programme=programme, phase=phase, scope=scope)
        _write_lists(self.book, lists)
        self.book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

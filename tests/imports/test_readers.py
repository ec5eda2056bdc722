"""The fast XLSX reader (python-calamine) gives the cells openpyxl gives (issue 12).

Imports read an XLSX with calamine when its footprint is bounded
(:func:`sangkien.imports.reading.calamine_footprint`), else with openpyxl as
before; both must yield the same header, prelude and rows — row numbers,
values by column, cells for the result workbook — for the files officers
upload: the template filled in and saved by a spreadsheet program (shared
strings, numbers, dates, merged cells, empty cells), a file written with
inline strings, and a sheet whose data starts below and to the right of A1.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

from sangkien.imports import reading
from sangkien.imports.columns import COLUMNS
from sangkien.imports.workbook import DATA_SHEET
from tests.imports.conftest import row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]


def read_with(opener, path: Path) -> list:
    table = opener(path)
    try:
        return [(table.header_row, table.headers, table.keys, table.prelude, table.estimated_rows)] + [
            (r.number, r.values, r.cells, r.skip) for r in table.rows()]
    finally:
        table.close()


def same_cells(path: Path) -> list:
    fast = read_with(reading._open_xlsx_calamine, path)
    slow = read_with(reading._open_xlsx_openpyxl, path)
    assert fast[1:] == slow[1:]
    assert fast[0][:4] == slow[0][:4]
    return fast


def test_the_filled_template_reads_the_same(tree, phase, tmp_path):
    """The template as openpyxl saves it (shared strings), with numbers, dates, a merged cell and gaps."""
    rows = [row(), row(benefit_vnd="2 triệu", co_authors="Lê Văn Nam, 0912345678\nTrần Thị Mai"), row(author_email="")]
    data = xlsx_file(rows, programme=phase.programme, phase=phase, scope=tree["d1"])
    book = load_workbook(io.BytesIO(data))
    sheet = book[DATA_SHEET]
    date_format = "dd/mm/yyyy"
    sheet.cell(row=9, column=1, value=4)
    sheet.cell(row=9, column=2, value="Phạm Thị Lan")
    sheet.cell(row=9, column=3, value=912345678)  # a phone Excel turned into a number
    phone_col = [c.key for c in COLUMNS].index("benefit_vnd") + 1
    sheet.cell(row=9, column=phone_col, value=1500000.5)
    applied = [c.key for c in COLUMNS].index("applied_from") + 1
    cell = sheet.cell(row=9, column=applied, value=dt.datetime(2021, 2, 1))  # noqa: DTZ001 (a date cell)
    cell.number_format = date_format
    sheet.cell(row=9, column=applied + 1, value=True)
    sheet.merge_cells(start_row=11, start_column=2, end_row=11, end_column=4)
    sheet.cell(row=11, column=2, value="Dòng gộp ô")
    sheet.cell(row=13, column=2, value="  khoảng trắng  ")
    path = tmp_path / "filled.xlsx"
    book.save(path)
    rows_read = same_cells(path)
    by_number = {r[0]: r for r in rows_read[1:]}
    assert by_number[9][2][2] == 912345678 and type(by_number[9][2][2]) is int
    assert by_number[9][2][applied - 1] == dt.datetime(2021, 2, 1)  # noqa: DTZ001
    assert by_number[11][2][1] == "Dòng gộp ô" and by_number[11][2][2] is None
    assert by_number[13][2][1] == "  khoảng trắng  "


def test_inline_strings_and_a_table_away_from_a1_read_the_same(tmp_path):
    """xlsxwriter's constant_memory mode writes inline strings; the data starts at C3 here."""
    path = tmp_path / "inline.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(DATA_SHEET)
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(2, 2, [c.label() for c in COLUMNS])
    sheet.write_row(3, 2, ["1", "Nguyễn Thị Hoa", "0912 000001", "", "Công nhân"])
    sheet.write_number(4, 2, 2)
    sheet.write_string(4, 3, "Trần Văn Bình")
    sheet.write_datetime(4, 4, dt.datetime(2021, 3, 15), day)  # noqa: DTZ001 (a date cell)
    sheet.write_string(6, 3, "Gá kẹp & <khuôn>")
    book.close()
    rows_read = same_cells(path)
    assert rows_read[0][0] == 3  # the header on the sheet's third row
    assert rows_read[1][2][:4] == [None, None, "1", "Nguyễn Thị Hoa"]


def test_decomposed_text_and_control_characters_read_as_the_import_cleans_them(tmp_path):
    """Text cells from calamine are cleaned inline (issue 12, round 5) as :func:`reading._clean_cell`
    cleans them: composed (NFC), NUL characters dropped, other text and empty cells as they were."""
    import unicodedata

    path = tmp_path / "nfd.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(DATA_SHEET)
    sheet.write_row(0, 0, [c.label() for c in COLUMNS])
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    sheet.write_row(1, 0, ["1", decomposed, "0912 000001", "", "a\x00b\x00", "x\x01y", "ASCII", 7])
    book.close()
    cells = read_with(reading._open_xlsx_calamine, path)[1][2]
    assert decomposed != "Nguyễn Thị Hoa" == cells[1]
    assert cells[:8] == ["1", "Nguyễn Thị Hoa", "0912 000001", None, "ab", "x\x01y", "ASCII", 7]


def test_an_escaped_underscore_in_an_inline_string_reads_as_typed(tmp_path):
    """The one difference found: text that looks like an escape (``_x000D_``) is saved as
    ``_x005F_x000D_``; openpyxl leaves inline strings escaped, calamine gives what was typed."""
    path = tmp_path / "escape.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(DATA_SHEET)
    sheet.write_row(0, 0, [c.label() for c in COLUMNS])
    sheet.write_string(1, 1, "Mã_x000D_lỗi")
    book.close()
    fast = read_with(reading._open_xlsx_calamine, path)
    assert fast[1][2][1] == "Mã_x000D_lỗi"


def test_an_empty_sheet_and_a_sheet_without_a_header_are_refused_alike(tmp_path):
    path = tmp_path / "empty.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Trống")
    book.add_worksheet("Ghi chú").write_string(0, 0, "Không có tiêu đề")
    book.close()
    messages = []
    for opener in (reading._open_xlsx_calamine, reading._open_xlsx_openpyxl):
        with pytest.raises(reading.FileRefused) as caught:
            opener(path)
        messages.append(caught.value.message)
    assert messages[0] == messages[1]


def test_the_fast_reader_is_used_for_an_ordinary_file(tree, phase, tmp_path, monkeypatch):
    path = tmp_path / "ordinary.xlsx"
    path.write_bytes(xlsx_file([row()], programme=phase.programme, phase=phase, scope=tree["d1"]))
    monkeypatch.setattr(reading, "_open_xlsx_openpyxl", lambda _path: pytest.fail("openpyxl used"))
    table = reading.open_table(path, "xlsx")
    assert sum(1 for r in table.rows() if not r.skip) == 1
    table.close()


def test_a_formula_error_is_read_by_openpyxl_as_the_error_text(tmp_path, monkeypatch):
    """calamine reads a cached error value (``#DIV/0!``) as an empty cell: the row would pass
    without its amount instead of being refused, so such a file is read with openpyxl."""
    path = tmp_path / "error.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(DATA_SHEET)
    sheet.write_row(0, 0, [c.label() for c in COLUMNS])
    sheet.write_string(1, 1, "Nguyễn Thị Hoa")
    sheet.write_formula(1, [c.key for c in COLUMNS].index("benefit_vnd"), "=1/0", None, "#DIV/0!")
    book.close()
    monkeypatch.setattr(reading, "_open_xlsx_calamine", lambda _path: pytest.fail("calamine would drop the error"))
    table = reading.open_table(path, "xlsx")
    values = next(r.values for r in table.rows() if not r.skip)
    table.close()
    assert values["benefit_vnd"] == "#DIV/0!"

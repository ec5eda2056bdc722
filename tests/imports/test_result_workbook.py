"""The errors / result workbook written a row at a time is the file xlsxwriter writes cell by cell
(issue 12, round 4: writing it was half of the check pass)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from sangkien.imports.columns import COLUMNS
from sangkien.imports.reading import open_table
from sangkien.imports.workbook import DATA_SHEET, ResultWriter, RowWorksheet

TEXTS = [
    "Nguyễn Thị Hoa", "Cải tiến gá kẹp & khuôn <ép> \"mới\" > cũ", "dòng một\ndòng hai", "  cách đầu", "cách cuối ",
    "\u00a0nbsp", "điều khiển \x01 ký tự", "_x0041_ đã thoát", "<r>giàu</r>", "biểu tượng 🙂 ngoài BMP", "=1+1",
    "x" * 20_000, "'", "tab\tgiữa", "\ufffe", "a_x00_b", "0912 345 678",
]
VALUES = [7, 0, -3, 1.5, 12_345_678_901_234_567, 2.0000000001, dt.datetime(2021, 3, 15), dt.datetime(2021, 3, 15, 8, 30),
          True, False]


def _source(path: Path, rows: int) -> None:
    """A template-shaped sheet: a title, a blank row, the header, then ``rows`` rows of varied cells."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = book.add_worksheet(DATA_SHEET)
    sheet.write_string(0, 0, "MẪU TỔNG HỢP SÁNG KIẾN")
    sheet.write_row(2, 0, [c.label() for c in COLUMNS])
    pool = TEXTS + VALUES
    for r in range(rows):
        if r % 13 == 5:
            continue  # a blank row
        for c in range(len(COLUMNS)):
            if (r + c) % 4 == 0:
                continue  # an empty cell
            plain = r % 3 != 0  # two rows in three hold ordinary text only
            value = f"ô {r}-{c} & <b>" if plain else pool[(r * 7 + c) % len(pool)]
            if isinstance(value, bool):
                sheet.write_boolean(3 + r, c, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(3 + r, c, value, book.add_format({"num_format": "dd/mm/yyyy"}))
            elif isinstance(value, int | float):
                sheet.write_number(3 + r, c, value)
            else:
                sheet.write_string(3 + r, c, value)
    book.close()


def _written(path: Path, *, fast: bool, programme, phase, scope) -> bytes:
    table = open_table(str(path), "xlsx")
    out = io.BytesIO()
    writer = ResultWriter(out, file_format="xlsx", table=table, programme=programme, phase=phase, scope=scope,
                          fast=fast)
    for source in table.rows():
        if source.skip:
            writer.write(source, "", "")
            continue
        n = source.number
        errors = ["", "Số điện thoại: “0912 34”: thiếu số", "Tên <b> & \x02", " lỗi có cách "][n % 4]
        writer.write(source, errors, "SK-7F3K9QXM" if n % 5 == 0 else "")
    table.close()
    writer.close()
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    # the creation time, set by each workbook from the clock
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"",
                                        parts["docProps/core.xml"])
    return parts


@pytest.mark.django_db
def test_a_row_at_a_time_writes_the_same_file_as_cell_by_cell(tmp_path, programme, phase, tree):
    source = tmp_path / "source.xlsx"
    _source(source, 240)
    fast = _parts(_written(source, fast=True, programme=programme, phase=phase, scope=tree["d1"]))
    slow = _parts(_written(source, fast=False, programme=programme, phase=phase, scope=tree["d1"]))
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name


@pytest.mark.django_db
def test_plain_rows_skip_the_cell_by_cell_path(tmp_path, programme, phase, tree, monkeypatch):
    source = tmp_path / "source.xlsx"
    _source(source, 60)
    cells: list[int] = []
    write_string = RowWorksheet._write_string

    def counted(self, row, *args):
        cells.append(row)
        return write_string(self, row, *args)

    monkeypatch.setattr(RowWorksheet, "_write_string", counted)
    _written(source, fast=True, programme=programme, phase=phase, scope=tree["d1"])
    # 0-based sheet rows of ordinary text whose error message holds no control character
    plain = {3 + r for r in range(60) if r % 3 != 0 and r % 13 != 5 and (4 + r) % 4 != 2}
    assert not plain & set(cells), sorted(plain & set(cells))  # written a row at a time
    assert cells  # the header and the rows with unusual cells still go cell by cell

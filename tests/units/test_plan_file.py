"""Reading a reorganisation plan file (CSV/XLSX): every bad row reported by line; hostile files refused."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from sangkien.units.plan_file import PlanFileRefused, read_plan
from sangkien.units.reorganisation import PlanRow

CSV = (
    "Mã đơn vị;Thao tác;Ngày hiệu lực;Mã cấp trên mới;Tên mới\n"
    "375;giải thể;01/07/2025;37;\n"
    "375-0001;move;2025-07-01;213;\n"
    ";move;2025-07-01;213;\n"
    "213;teleport;hôm qua;;\n"
    "\n"
    "24;Đổi tên;1/7/2025;;LĐLĐ tỉnh Bắc Ninh\n"
)


def test_a_csv_plan_with_vietnamese_headers_and_bad_rows():
    rows, errors = read_plan(CSV.encode("utf-8-sig"), file_name="ke-hoach.csv")

    assert rows == [
        PlanRow("375", "dissolve", dt.date(2025, 7, 1), new_parent_code="37", line=2),
        PlanRow("375-0001", "move", dt.date(2025, 7, 1), new_parent_code="213", line=3),
        PlanRow("24", "rename", dt.date(2025, 7, 1), new_name="LĐLĐ tỉnh Bắc Ninh", line=7),
    ]
    assert [(e.line, e.code) for e in errors] == [(4, ""), (5, "213")]
    assert "thiếu mã đơn vị" in errors[0].message
    assert "teleport" in errors[1].message and "hôm qua" in errors[1].message


def test_an_xlsx_plan_with_date_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "action", "effective_on", "merge_into_code"])
    sheet.append([27, "merge", dt.datetime(2025, 7, 1), 24])
    buffer = io.BytesIO()
    book.save(buffer)

    rows, errors = read_plan(buffer.getvalue(), file_name="plan.XLSX")

    assert errors == []
    assert rows == [PlanRow("27", "merge", dt.date(2025, 7, 1), merge_into_code="24", line=2)]


def test_hostile_or_wrong_files_are_refused():
    with pytest.raises(PlanFileRefused):
        read_plan(b"code,action\n375,dissolve\n", file_name="p.csv")  # no effective_on column
    with pytest.raises(PlanFileRefused):
        read_plan(b"PK\x03\x04 not a zip", file_name="p.xlsx")
    with pytest.raises(PlanFileRefused):
        read_plan(b"x", file_name="p.pdf")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    with pytest.raises(PlanFileRefused) as info:
        read_plan(bomb.getvalue(), file_name="p.xlsx")
    assert "giải nén" in info.value.message

"""The officer's template: Vietnamese headers, notes for every column, drop-downs, example rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sangkien.imports.columns import COLUMNS
from sangkien.imports.workbook import DATA_SHEET, LISTS_SHEET, NOTES_SHEET, build_template

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]


def template_for(unit, phase):
    buffer = io.BytesIO()
    build_template(buffer, programme=phase.programme, phase=phase, scope=unit)
    buffer.seek(0)
    return load_workbook(buffer)


def test_template_sheets_headers_and_examples(tree, phase):
    book = template_for(tree["d1"], phase)
    assert book.sheetnames == [DATA_SHEET, NOTES_SHEET, LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    sheet = book[DATA_SHEET]
    headers = [c.value for c in sheet[3]]
    assert headers[:3] == ["STT", "Họ và tên tác giả *", "Số điện thoại"]
    assert "Tên sáng kiến *" in headers and "Giá trị làm lợi (đồng/năm)" in headers
    assert [sheet.cell(row=r, column=1).value for r in (4, 5)] == ["Ví dụ", "Ví dụ"]
    notes = [[c.value for c in r] for r in book[NOTES_SHEET].iter_rows()]
    explained = {r[0] for r in notes}
    assert all(c.title() in explained for c in COLUMNS)
    assert any("01/01/2021 – 30/04/2021" in (r[0] or "") for r in notes)  # the effect window


def test_drop_downs_list_the_units_of_the_officers_subtree_only(tree, phase):
    book = template_for(tree["d1"], phase)
    units = [c.value for c in book[LISTS_SHEET]["D"][1:] if c.value]
    assert units == ["CĐCS Công ty May Yên Khánh (375-0002)", "CĐCS Trường THCS Khánh Hội (375-0001)"]
    sectors = [c.value for c in book[LISTS_SHEET]["A"][1:] if c.value]
    assert sectors == ["Khối doanh nghiệp", "Khối hành chính sự nghiệp"]
    fields = [c.value for c in book[LISTS_SHEET]["B"][1:] if c.value]
    assert fields == ["Sản xuất, kinh doanh", "Giáo dục, đào tạo"]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in book[DATA_SHEET].data_validations.dataValidation
             if dv.type == "list"}
    header = [c.value for c in book[DATA_SHEET][3]]
    letter = {c.key: chr(ord("A") + i) for i, c in enumerate(COLUMNS)}
    assert lists[f"{letter['unit']}4"] == "'Danh mục'!$D$2:$D$3"
    assert lists[f"{letter['sector_block']}4"] == "'Danh mục'!$A$2:$A$3"
    assert f"{letter['recognition_form']}4" in lists and f"{letter['is_trade_secret']}4" in lists
    assert header.index("Công đoàn cơ sở *") == ord(letter["unit"]) - ord("A")

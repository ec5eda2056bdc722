"""Exports: the officer's lists and dashboards as XLSX and CSV, same filters, their subtree only."""

from __future__ import annotations

import io

import pytest
import rules
from django.urls import reverse
from openpyxl import load_workbook

from sangkien.imports.models import ExportRecord, ExportStatus
from sangkien.initiatives.models import Status
from sangkien.reports import exports
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, phase):
    mine = InitiativeFactory(phase=phase, unit=tree["g11"], title="Sổ tay điện tử",
                             author=PersonFactory(full_name="Nguyễn Thị Hoa", phone="+84912345678",
                                                  email="hoa@example.vn"))
    approved = InitiativeFactory(phase=phase, unit=tree["g12"], title="=CMD|' /C calc'!A0",
                                 status=Status.APPROVED, benefit_vnd=2_000_000)
    other_province = InitiativeFactory(phase=phase, unit=tree["g21"], title="Ở Bắc Giang")
    return {"mine": mine, "approved": approved, "other": other_province}


def export_url(code, **query):
    base = reverse("reports:export", args=["75-nghin-2021", code])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def xlsx_rows(response):
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def csv_text(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("member", 403), ("other_province", 403)])
def test_outsiders_get_nothing(client, world, tree, who, status):
    if who != "anonymous":
        user = UserFactory()
        if who == "other_province":
            grant(user, tree["p2"], Role.UNIT_ADMIN)
        client.force_login(user)
    assert client.get(export_url("375", tai="initiatives.csv")).status_code == status
    assert ExportRecord.objects.count() == 0


def test_csv_and_xlsx_hold_the_subtree_only_with_personal_data_for_roles_in_scope(client, world, tree):
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    personal = {"ca_nhan": "on", "muc_dich": "goi-dien-moi-nhan-khen-thuong"}  # asked for, with a purpose
    text = csv_text(client.get(export_url("375", tai="initiatives.csv", **personal)))
    assert "Sổ tay điện tử" in text and "0912 345 678" in text and "hoa@example.vn" in text
    assert "Ở Bắc Giang" not in text
    assert "'=CMD" in text  # a formula is never run by a spreadsheet
    rows = xlsx_rows(client.get(export_url("375", tai="initiatives.xlsx", **personal)))
    assert rows[0][:2] == ("Mã theo dõi", "Tên sáng kiến")
    assert sorted(r[1] for r in rows[1:]) == sorted(["Sổ tay điện tử", "'=CMD|' /C calc'!A0"])
    records = list(ExportRecord.objects.order_by("pk"))
    assert [(r.file_format, r.rows, r.personal_data, r.status) for r in records] == [
        ("csv", 2, True, ExportStatus.DONE), ("xlsx", 2, True, ExportStatus.DONE)]
    assert records[0].user == officer and records[0].unit == tree["d1"]


def test_same_filters_as_the_list(client, world, tree):
    officer = UserFactory()
    grant(officer, tree["p1"], Role.UNIT_ADMIN)
    client.force_login(officer)
    text = csv_text(client.get(export_url("37", tai="initiatives.csv", trang_thai="approved")))
    assert "=CMD" in text and "Sổ tay điện tử" not in text
    assert ExportRecord.objects.get().filters["status"] == "approved"


def test_dashboard_table_export_matches_the_dashboard(client, world, tree):
    officer = UserFactory()
    grant(officer, tree["p1"], Role.SUPPORT_TEAM)
    client.force_login(officer)
    rows = xlsx_rows(client.get(export_url("37", tai="unit_table.xlsx")))
    assert rows[0][:3] == ("Hạng", "Mã đơn vị", "Đơn vị")
    by_code = {r[1]: r for r in rows[1:]}
    assert by_code["375"][4] == 2 and by_code["375"][5] == 1  # submitted, approved
    assert rows[-1][2] == "Tổng cộng: LĐLĐ tỉnh Ninh Bình"
    text = csv_text(client.get(export_url("375", tai="unit_table.csv")))
    assert "375-0001" in text and "375-0002" in text


def test_personal_data_is_masked_for_a_role_without_the_permission(client, world, tree):
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    rules.set_perm("imports.export_personal_data", rules.always_false)  # a future read-only role
    try:
        text = csv_text(client.get(export_url("375", tai="initiatives.csv", ca_nhan="on", muc_dich="x")))
    finally:
        from sangkien.roles.predicates import reviewer_over
        rules.set_perm("imports.export_personal_data", reviewer_over)
    assert "0912 *** 678" in text and "h***@example.vn" in text
    assert "0912 345 678" not in text and "hoa@example.vn" not in text
    assert ExportRecord.objects.get().personal_data is False


def test_large_xlsx_exports_run_in_the_background(client, world, tree, monkeypatch, settings, tmp_path,
                                                  django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "INLINE_XLSX_ROWS", 1)
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(export_url("375", tai="initiatives.xlsx"))
    record = ExportRecord.objects.get()
    assert response["Location"] == reverse("reports:export_record", args=[record.pk])
    assert record.status == ExportStatus.DONE and record.rows == 2 and record.file
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:export_file", args=[record.pk]) in page
    rows = xlsx_rows(client.get(reverse("reports:export_file", args=[record.pk])))
    assert len(rows) == 3
    stranger = UserFactory()
    grant(stranger, tree["p2"], Role.UNIT_ADMIN)
    client.force_login(stranger)
    assert client.get(reverse("reports:export_file", args=[record.pk])).status_code == 404


def test_export_page_keeps_the_dashboard_filters(client, world, tree, phase):
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    page = client.get(export_url("375", giai_doan=phase.pk, tu_ngay="01/03/2021")).content.decode()
    assert 'value="01/03/2021"' in page and "Danh sách sáng kiến" in page


def test_every_export_is_in_the_audit_log(client, world, tree):
    from sangkien.core.models import AuditEntry

    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    response = client.get(export_url("375", tai="unit_table.csv"))
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="export.started")
    assert entry.actor == officer and entry.unit == tree["d1"] and entry.data["kind"] == "unit_table"
    assert ExportRecord.objects.get().rows == 4  # two grassroots, the unknown-unit row, the total

"""Exports mask phones and e-mails unless a reviewer asks for them with a purpose; such an export
is logged once and shown to the people it covered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.accesslog.models import AccessKind, PersonalDataAccess
from sangkien.imports.models import ExportRecord

pytestmark = pytest.mark.django_db

PURPOSE = "Gọi điện mời tác giả nhận khen thưởng"


def _export(client, user, code="375", **query):
    client.force_login(user)
    url = reverse("reports:export", args=["75-nghin-2021", code])
    return client.get(url, {"tai": "initiatives.csv", **query})


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize(("who", "code"), [("reviewer", "375"), ("support", "375-0001"), ("admin", "37")])
def test_masked_by_default_for_every_role(client, people, who, code):
    text = _csv(_export(client, people[who], code))
    assert "0912 *** 678" in text and "h***@example.vn" in text
    assert "0912 345 678" not in text and "hoa@example.vn" not in text
    assert ExportRecord.objects.get().personal_data is False
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("who", ["support", "admin"])
def test_support_teams_and_unit_admins_get_masked_data_even_when_asking(client, people, who):
    client.force_login(people[who])
    form_page = client.get(reverse("reports:export", args=["75-nghin-2021", "375-0001"])).content.decode()
    assert 'name="ca_nhan"' not in form_page  # not offered
    text = _csv(_export(client, people[who], "375-0001", ca_nhan="on", muc_dich=PURPOSE))
    assert "0912 *** 678" in text and "0912 345 678" not in text and "hoa@example.vn" not in text
    record = ExportRecord.objects.get()
    assert record.personal_data is False and record.filters["personal_data"] is False
    assert not PersonalDataAccess.objects.exists()


def test_a_reviewer_gets_personal_data_only_with_a_purpose(client, people):
    client.force_login(people["reviewer"])
    form_page = client.get(reverse("reports:export", args=["75-nghin-2021", "375"])).content.decode()
    assert 'name="ca_nhan"' in form_page and 'name="muc_dich"' in form_page
    refused = _export(client, people["reviewer"], ca_nhan="on", muc_dich="  ")
    page = refused.content.decode()
    assert refused.status_code == 200 and "Hãy ghi mục đích sử dụng số điện thoại và e-mail." in page
    assert 'name="ca_nhan" aria-describedby="ca-nhan-help" id="id_ca_nhan" checked' in page  # kept as ticked
    assert not ExportRecord.objects.exists()

    text = _csv(_export(client, people["reviewer"], ca_nhan="on", muc_dich=PURPOSE))
    assert "0912 345 678" in text and "hoa@example.vn" in text
    record = ExportRecord.objects.get()
    assert record.personal_data is True
    assert (record.filters["personal_data"], record.filters["purpose"]) == (True, PURPOSE)
    access = PersonalDataAccess.objects.get()
    assert (access.kind, access.actor, access.unit, access.purpose, access.object_ref) == (
        AccessKind.EXPORT, people["reviewer"], people["tree"]["d1"], PURPOSE, str(record.pk))


def test_the_export_log_shows_personal_data_and_why(client, people):
    _csv(_export(client, people["reviewer"], ca_nhan="on", muc_dich=PURPOSE))
    client.force_login(people["admin"])
    page = client.get(reverse("imports:log", args=["37"])).content.decode()
    assert PURPOSE in page


def test_an_export_covering_the_member_is_listed_once_on_their_page(client, people):
    _csv(_export(client, people["reviewer"], ca_nhan="on", muc_dich=PURPOSE))  # covers 375 and below
    _csv(_export(client, people["reviewer"]))  # masked: not an access
    _csv(_export(client, people["other_reviewer"], "24", ca_nhan="on", muc_dich="Khác"))  # another province
    assert PersonalDataAccess.objects.count() == 2
    client.force_login(people["member"])
    page = client.get(reverse("privacy:access_log")).content.decode()
    assert page.count('data-testid="access"') == 1
    assert PURPOSE in page and "Phạm Thị Duyệt" in page and "LĐLĐ huyện Yên Khánh" in page
    assert "Vũ Bắc Giang" not in page


def test_unit_tables_never_carry_the_personal_data_choice(client, people):
    client.force_login(people["reviewer"])
    response = client.get(reverse("reports:export", args=["75-nghin-2021", "375"]),
                          {"tai": "unit_table.csv", "ca_nhan": "on", "muc_dich": PURPOSE})
    b"".join(response.streaming_content)
    assert ExportRecord.objects.get().filters["personal_data"] is False
    assert not PersonalDataAccess.objects.exists()

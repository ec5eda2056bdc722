"""A busy database never loses what a member typed (issue 9 item 6).

SQLite answers "database is locked" (``OperationalError``) when a writer
waited longer than its busy timeout; the submit, edit and on-behalf forms
come back as a 503 with everything typed, the chosen files held, and a
"busy, send again" message — never a 500.  Sending again then succeeds.
"""

from __future__ import annotations

import html

import pytest
import time_machine
from django.db import OperationalError
from django.urls import reverse

from sangkien.duplicates import services as duplicate_services
from sangkien.initiatives import services, views
from sangkien.initiatives.models import Attachment, Initiative, PendingUpload, Status, StatusChange
from sangkien.review import views as officer_views
from sangkien.roles.models import Role
from tests.factories import UserFactory, grant
from tests.initiatives.test_member_pages import OPEN, edit_data, media, member, pdf, photo, returned  # noqa: F401
from tests.initiatives.test_submission import form_data, submit_url

pytestmark = pytest.mark.django_db

BUSY = "Hệ thống đang bận nên chưa lưu được"


def locked(*_args, **_kwargs):
    raise OperationalError("database is locked")


@time_machine.travel(OPEN, tick=False)
def test_a_locked_database_on_submit_redisplays_everything_typed_and_holds_the_file(
        client, member, tree, phase, media, monkeypatch):  # noqa: F811
    # Inside the saving transaction, after the initiative, its authors and its file were written.
    monkeypatch.setattr(duplicate_services, "index_initiative", locked)
    data = form_data(tree, attachments=[pdf()])
    response = client.post(submit_url(phase.programme), data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert BUSY in page
    assert data["title"] in page and "Học sinh nhớ bài lâu hơn." in page and "0912 345 678" in page
    assert "Trần Văn Bình, 0987 654 321" in page and "<strong>mới</strong>" in page
    assert tree["g11"].name in page
    assert "bao-cao.pdf" in page and PendingUpload.objects.count() == 1
    assert Initiative.objects.count() == 0 and Attachment.objects.count() == 0  # rolled back
    monkeypatch.undo()
    again = client.post(submit_url(phase.programme), form_data(tree, submission_token=data["submission_token"]))
    assert again.status_code == 302
    initiative = Initiative.objects.get()
    assert [a.original_name for a in initiative.attachments.all()] == ["bao-cao.pdf"]


@time_machine.travel(OPEN, tick=False)
def test_a_file_held_while_the_database_is_still_busy_does_not_turn_into_a_500(
        client, member, tree, phase, media, monkeypatch):  # noqa: F811
    monkeypatch.setattr(duplicate_services, "index_initiative", locked)
    monkeypatch.setattr(views, "hold_uploads", locked)
    data = form_data(tree, attachments=[pdf()])
    response = client.post(submit_url(phase.programme), data)
    assert response.status_code == 503 and BUSY in response.content.decode()
    assert data["title"] in response.content.decode()


@time_machine.travel(OPEN, tick=False)
def test_a_locked_database_on_a_returned_initiative_keeps_the_new_text_and_photo(
        client, member, returned, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services.StatusChange.objects, "create", locked)
    url = reverse("initiatives:edit", args=[returned.tracking_code])
    response = client.post(url, edit_data(returned, description="<p>Đã bổ sung ảnh máy cắt</p>",
                                          attachments=[photo()]))
    page = html.unescape(response.content.decode())
    assert response.status_code == 503 and BUSY in page
    assert "Đã bổ sung ảnh máy cắt" in page and "anh-may-cat.jpg" in page
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED and "Đã bổ sung" not in returned.description
    monkeypatch.undo()
    assert client.post(url, edit_data(returned)).status_code == 302
    assert sorted(a.original_name for a in returned.attachments.all()) == ["anh-may-cat.jpg", "cu.pdf"]
    assert StatusChange.objects.filter(initiative=returned, to_status=Status.SUBMITTED).count() == 1


@time_machine.travel(OPEN, tick=False)
def test_a_locked_database_on_an_entry_on_behalf_keeps_what_the_officer_typed(client, tree, phase, monkeypatch):
    officer = UserFactory(full_name="Vũ Thị Lan")
    grant(officer, tree["g11"], Role.SUPPORT_TEAM)
    client.force_login(officer)
    monkeypatch.setattr(officer_views, "submit_initiative", locked)
    url = reverse("review:enter", args=[tree["g11"].code, phase.programme.slug])
    data = {"author_full_name": "Phạm Văn Công", "author_phone": "0903 111 222", "sector_block": "enterprise",
            "title": "Đồ gá mới", "description": "Giảm thời gian thay khuôn", "benefit_vnd": "5.000.000",
            "submission_token": "a" * 32}
    response = client.post(url, data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 503 and BUSY in page
    assert "Phạm Văn Công" in page and "0903 111 222" in page and "Đồ gá mới" in page
    assert "Giảm thời gian thay khuôn" in page and Initiative.objects.count() == 0

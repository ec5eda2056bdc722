"""Member pages that must not mislead (issue 8 items 7 and 8): files kept across a
failed form, new files on a returned initiative, a closed programme, the QR
landing page, an unknown unit link, deadlines as the letters write them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.initiatives.attachments import purge_expired_uploads
from sangkien.initiatives.models import Attachment, Initiative, PendingUpload, Status
from tests.factories import InitiativeFactory, UserFactory
from tests.initiatives.test_submission import form_data, submit_url
from tests.uploads import photo

pytestmark = pytest.mark.django_db

OPEN = local_datetime(2021, 4, 5, 10)
RULES = "PDF, Word, Excel, JPG, PNG — tối đa 10 MB mỗi tệp, 5 tệp"


@pytest.fixture
def member(client):
    user = UserFactory(full_name="Nguyễn Thị Hoa")
    client.force_login(user)
    return user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf(name="bao-cao.pdf", body=b"%PDF-1.4 bao cao"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def stored_files(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file())


# --- item 7: files kept across a failed validation -----------------------------------------

@time_machine.travel(OPEN, tick=False)
def test_the_form_shows_what_may_be_attached(client, member, tree, phase):
    assert RULES in client.get(submit_url(phase.programme)).content.decode()


@time_machine.travel(OPEN, tick=False)
def test_a_file_chosen_on_a_form_with_errors_is_kept_and_attached_on_success(
        client, member, tree, phase, media, django_capture_on_commit_callbacks):
    data = form_data(tree, title="")
    response = client.post(submit_url(phase.programme), {**data, "attachments": [pdf()]})
    html = response.content.decode()
    assert response.status_code == 200 and Initiative.objects.count() == 0
    held = PendingUpload.objects.get()
    assert held.owner == member and held.token == data["submission_token"]
    assert held.file.name.startswith("pending/")
    assert "bao-cao.pdf" in html and "vẫn được giữ, không cần chọn lại" in html
    assert f'name="remove_pending" value="{held.pk}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(phase.programme), {**data, "title": "Mài dao theo lịch"})
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    item = initiative.attachments.get()
    assert item.original_name == "bao-cao.pdf" and item.size == len(b"%PDF-1.4 bao cao")
    with item.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 bao cao"
    assert PendingUpload.objects.count() == 0
    assert stored_files(media) == ["bao-cao.pdf"]  # the held copy is gone


@time_machine.travel(OPEN, tick=False)
def test_a_held_file_ticked_remove_is_not_attached(client, member, tree, phase, media):
    data = form_data(tree, title="")
    client.post(submit_url(phase.programme), {**data, "attachments": [pdf(), photo()]})
    first, second = PendingUpload.objects.order_by("pk")
    client.post(submit_url(phase.programme), {**data, "title": "Mài dao", "remove_pending": [first.pk]})
    assert [a.original_name for a in Initiative.objects.get().attachments.all()] == [second.original_name]
    assert PendingUpload.objects.count() == 0


@time_machine.travel(OPEN, tick=False)
def test_a_bad_file_is_named_and_the_good_one_kept(client, member, tree, phase, media):
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(submit_url(phase.programme), {**form_data(tree), "attachments": [bad, pdf()]})
    html = response.content.decode()
    assert "virus.exe" in html and "chưa được lưu; hãy chọn tệp khác" in html
    assert [h.original_name for h in PendingUpload.objects.all()] == ["bao-cao.pdf"]


@time_machine.travel(OPEN, tick=False)
def test_held_files_count_towards_the_maximum(client, member, tree, phase, media):
    data = form_data(tree, title="")
    client.post(submit_url(phase.programme), {**data, "attachments": [pdf(f"{n}.pdf") for n in range(4)]})
    response = client.post(submit_url(phase.programme), {**data, "title": "Mài dao",
                                                          "attachments": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 200 and Initiative.objects.count() == 0
    assert "Tối đa 5 tệp đính kèm; đã có 4 tệp." in response.content.decode()


def test_held_files_of_someone_else_or_older_than_a_day_are_not_used(
        client, member, tree, phase, media, django_capture_on_commit_callbacks):
    data = form_data(tree, title="")
    with time_machine.travel(OPEN, tick=False):
        client.post(submit_url(phase.programme), {**data, "attachments": [pdf()]})
        other = UserFactory()
        client.force_login(other)
        client.post(submit_url(phase.programme), {**data, "title": "Của người khác"})
        assert Initiative.objects.get().attachments.count() == 0
    with (time_machine.travel(OPEN + dt.timedelta(hours=25), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert purge_expired_uploads() == 1
    assert PendingUpload.objects.count() == 0 and stored_files(media) == []


# --- item 7: a returned initiative gets new attachments ------------------------------------

@pytest.fixture
def returned(tree, phase, member, media):
    initiative = InitiativeFactory(phase=phase, unit=tree["g11"], submitted_by=member, entered_by=member,
                                   status=Status.RETURNED, status_reason="Cần ảnh chụp máy sau cải tiến")
    Attachment.objects.create(initiative=initiative, file=pdf("cu.pdf"), original_name="cu.pdf", size=10)
    return initiative


def edit_data(initiative, **extra):
    return {"sector_block": "enterprise", "title": initiative.title, "description": "<p>Đã bổ sung ảnh</p>",
            "benefit_vnd": "12 triệu", "recognition_form": "", **extra}


@time_machine.travel(OPEN, tick=False)
def test_returned_initiative_gets_a_new_photo_and_loses_an_old_file(client, member, returned):
    url = reverse("initiatives:edit", args=[returned.tracking_code])
    page = client.get(url).content.decode()
    assert RULES in page and "cu.pdf" in page and 'enctype="multipart/form-data"' in page
    old = returned.attachments.get()
    response = client.post(url, edit_data(returned, attachments=[photo()], remove_attachments=[old.pk]))
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == Status.SUBMITTED
    assert [a.original_name for a in returned.attachments.all()] == ["anh-may-cat.jpg"]


@time_machine.travel(OPEN, tick=False)
def test_returned_initiative_keeps_the_photo_across_an_error(client, member, returned):
    url = reverse("initiatives:edit", args=[returned.tracking_code])
    response = client.post(url, edit_data(returned, title="", attachments=[photo()]))
    assert response.status_code == 200 and "anh-may-cat.jpg" in response.content.decode()
    client.post(url, edit_data(returned))
    assert sorted(a.original_name for a in returned.attachments.all()) == ["anh-may-cat.jpg", "cu.pdf"]


@time_machine.travel(OPEN, tick=False)
def test_returned_initiative_stays_within_the_maximum(client, member, returned):
    url = reverse("initiatives:edit", args=[returned.tracking_code])
    response = client.post(url, edit_data(returned, attachments=[photo(f"{n}.jpg") for n in range(5)]))
    assert "Tối đa 5 tệp đính kèm; đã có 1 tệp." in response.content.decode()
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED and returned.attachments.count() == 1


# --- item 8: pages that mislead --------------------------------------------------------------

@time_machine.travel(local_datetime(2021, 5, 2, 9), tick=False)
def test_closed_programme_says_when_it_closed_and_what_it_gathered(client, tree, phase):
    InitiativeFactory(phase=phase, unit=tree["g11"], status=Status.APPROVED)
    InitiativeFactory(phase=phase, unit=tree["g21"])
    response = client.get(submit_url(phase.programme))  # anyone, signed in or not
    html = response.content.decode()
    assert response.status_code == 200
    assert "đã đóng nhận sáng kiến lúc 24h ngày 20/04/2021" in html
    assert 'data-testid="closed-submitted">2<' in html and 'data-testid="closed-approved">1<' in html
    assert 'data-testid="closed-participants">2<' in html
    assert "submission_token" not in html and "Gửi sáng kiến</button>" not in html


@time_machine.travel(OPEN, tick=False)
def test_open_form_shows_the_deadline_as_the_letters_write_it(client, member, tree, phase):
    html = client.get(submit_url(phase.programme)).content.decode()
    assert "Nhận sáng kiến đến 24h ngày 20/04/2021" in html


@time_machine.travel(OPEN, tick=False)
def test_qr_landing_names_unit_and_programme_with_sign_up_first(client, tree, phase):
    response = client.get(reverse("units:link", args=[tree["g11"].code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CĐCS Trường THCS Khánh Hội" in html and "LĐLĐ huyện Yên Khánh" in html
    assert phase.programme.name in html and "24h ngày 20/04/2021" in html
    nxt = "next=%2Fchuong-trinh%2F75-nghin-2021%2Fgui-sang-kien%2F%3Fdon-vi%3D375-0001"
    signup = html.index(f'href="/tai-khoan/signup/?{nxt}"')
    login = html.index(f'href="/tai-khoan/login/?{nxt}"')
    assert signup < login  # sign-up is the main, first action


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_unit_link_is_our_404_with_a_way_back(client, tree, settings, debug):
    settings.DEBUG = debug
    response = client.get("/dv/NOPE/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không có đơn vị nào với mã “NOPE”" in html and 'href="/"' in html
    assert "URLconf" not in html and "Using the URLconf" not in html


@time_machine.travel(OPEN, tick=False)
def test_a_retired_unit_link_is_our_404_too(client, tree, phase):
    tree["g12"].is_active = False
    tree["g12"].save()
    response = client.get(reverse("units:link", args=[tree["g12"].code]))
    assert response.status_code == 404
    assert "Không có đơn vị nào với mã “375-0002”" in response.content.decode()


def test_purge_command_deletes_old_held_files(client, member, tree, phase, media, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    with time_machine.travel(OPEN, tick=False):
        client.post(submit_url(phase.programme), {**form_data(tree, title=""), "attachments": [pdf()]})
    out = io.StringIO()
    with (time_machine.travel(OPEN + dt.timedelta(hours=23), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        call_command("purge_pending_uploads", stdout=out)
    assert out.getvalue().startswith("0 ") and PendingUpload.objects.count() == 1
    with (time_machine.travel(OPEN + dt.timedelta(hours=24, seconds=1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        call_command("purge_pending_uploads", stdout=out)
    assert PendingUpload.objects.count() == 0 and stored_files(media) == []

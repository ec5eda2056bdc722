"""Submitting: windows closing by themselves, one initiative per click, units."""

import re
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.initiatives.models import Initiative, Person, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_data(tree, **overrides):
    data = {
        "author_full_name": "Nguyễn Thị Hoa",
        "author_phone": "0912 345 678",
        "author_email": "",
        "author_job": "Giáo viên",
        "author_workplace": "Trường THCS Khánh Hội",
        "co_authors": "Trần Văn Bình, 0987 654 321\nLê Thị Cúc",
        "unit_1": tree["p1"].code,
        "unit_2": tree["d1"].code,
        "unit_3": tree["g11"].code,
        "sector_block": "public",
        "title": "Ứng dụng bản đồ tư duy trong dạy học môn Ngữ văn",
        "description": "<p>Giải pháp <strong>mới</strong></p><ul><li>Bước 1</li></ul>",
        "effect_summary": "Học sinh nhớ bài lâu hơn.",
        "benefit_vnd": "1,5 triệu",
        "recognition_form": "",
        "submission_token": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


@pytest.fixture
def member(client):
    user = UserFactory(full_name="Nguyễn Thị Hoa")
    client.force_login(user)
    return user


def submit_url(programme):
    return reverse("initiatives:submit", args=[programme.slug])


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_member_submits_and_gets_a_tracking_code(client, member, tree, phase):
    response = client.post(submit_url(phase.programme), form_data(tree))
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("initiatives:detail", args=[initiative.tracking_code])
    assert initiative.unit == tree["g11"] and not initiative.unit_unlisted
    assert initiative.benefit_vnd == 1_500_000
    assert initiative.status == Status.SUBMITTED and initiative.submitted_by == member
    assert initiative.entered_by == member and not initiative.entered_on_behalf
    assert [a.person.full_name for a in initiative.authorships.all()] == [
        "Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Thị Cúc"]
    assert initiative.authorships.first().person.user == member
    assert initiative.description == "<p>Giải pháp <strong>mới</strong></p><ul><li>Bước 1</li></ul>"
    page = client.get(response["Location"])
    assert initiative.tracking_code in page.content.decode()
    assert "Đã gửi, chờ xét duyệt" in page.content.decode()


@pytest.mark.parametrize("moment", [local_datetime(2021, 4, 5, 10), local_datetime(2021, 5, 5, 10)],
                         ids=["phase open", "no phase open"])
def test_an_unpublished_programme_has_no_form(client, member, tree, phase, moment):
    """The form reads the open phase with its programme in one query (issue 12): a programme not
    published is not found, whether or not one of its phases is open; a published one is."""
    programme = phase.programme
    programme.is_published = False
    programme.save(update_fields=["is_published"])
    with time_machine.travel(moment, tick=False):
        assert client.get(submit_url(programme)).status_code == 404
        assert client.post(submit_url(programme), form_data(tree)).status_code == 404
        assert client.get(reverse("initiatives:submit", args=["khong-co"])).status_code == 404
        programme.is_published = True
        programme.save(update_fields=["is_published"])
        assert client.get(submit_url(programme)).status_code == 200
    assert Initiative.objects.count() == 0


@time_machine.travel(local_datetime(2021, 4, 20, 23, 59, 59), tick=False)
def test_window_is_open_until_the_last_second(client, member, tree, phase):
    client.post(submit_url(phase.programme), form_data(tree))
    assert Initiative.objects.count() == 1


def test_form_opened_before_midnight_and_sent_after_is_refused_and_keeps_the_text(client, member, tree, phase):
    with time_machine.travel(local_datetime(2021, 4, 20, 23, 59, 30), tick=False):
        page = client.get(submit_url(phase.programme))
        assert page.status_code == 200
        token = page.context["form"].initial["submission_token"]
    with time_machine.travel(local_datetime(2021, 4, 21, 0, 0, 1), tick=False):
        response = client.post(submit_url(phase.programme), form_data(tree, submission_token=token))
    assert response.status_code == 200
    assert Initiative.objects.count() == 0
    html = response.content.decode()
    assert "tự động đóng lúc 24h ngày 20/04/2021" in html
    assert "Ứng dụng bản đồ tư duy trong dạy học môn Ngữ văn" in html  # the title is kept
    assert "Học sinh nhớ bài lâu hơn." in html  # and the rest of the text


@time_machine.travel(local_datetime(2021, 4, 21, 0, 0, 0), tick=False)
def test_window_closed_at_exactly_midnight(client, member, tree, phase):
    response = client.post(submit_url(phase.programme), form_data(tree))
    assert response.status_code == 200 and Initiative.objects.count() == 0


@time_machine.travel(local_datetime(2021, 3, 9, 23, 59, 59), tick=False)
def test_window_not_yet_open(client, member, tree, phase):
    response = client.post(submit_url(phase.programme), form_data(tree))
    assert "chưa mở nhận sáng kiến" in response.content.decode()
    assert Initiative.objects.count() == 0


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_double_click_or_resent_form_creates_one_initiative(client, member, tree, phase):
    data = form_data(tree)
    first = client.post(submit_url(phase.programme), data)
    second = client.post(submit_url(phase.programme), data)
    assert Initiative.objects.count() == 1
    assert first["Location"] == second["Location"]


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_unlisted_unit_stays_in_the_parents_unknown_bucket(client, member, tree, phase):
    data = form_data(tree, unit_3="__unlisted__", unit_unlisted_name="Công ty TNHH ABC")
    client.post(submit_url(phase.programme), data)
    initiative = Initiative.objects.get()
    assert initiative.unit == tree["d1"] and initiative.unit_unlisted
    assert initiative.unit_unlisted_name == "Công ty TNHH ABC"


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_stopping_at_the_district_without_choosing_is_refused(client, member, tree, phase):
    response = client.post(submit_url(phase.programme), form_data(tree, unit_3=""))
    assert Initiative.objects.count() == 0
    assert "Hãy chọn tiếp đơn vị cấp dưới" in response.content.decode()


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_unit_must_be_a_child_of_the_chosen_parent(client, member, tree, phase):
    response = client.post(submit_url(phase.programme), form_data(tree, unit_3=tree["g21"].code))
    assert Initiative.objects.count() == 0
    assert "không còn trong danh sách" in response.content.decode()


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_bad_input_gets_translated_errors_and_keeps_what_was_typed(client, member, tree, phase):
    data = form_data(tree, benefit_vnd="mười triệu", author_phone="12345", title="", description="")
    response = client.post(submit_url(phase.programme), data)
    html = response.content.decode()
    assert Initiative.objects.count() == 0
    assert "không phải là số tiền" in html
    assert "Số điện thoại không hợp lệ" in html
    assert "mười triệu" in html and "Học sinh nhớ bài lâu hơn." in html


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_effect_must_fall_in_the_effect_window(client, member, tree, phase):
    response = client.post(submit_url(phase.programme), form_data(tree, applied_from="01/06/2021"))
    assert Initiative.objects.count() == 0
    assert "Hiệu quả của sáng kiến phải nằm trong khoảng 01/01/2021 – 30/04/2021" in response.content.decode()


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_attachments_are_checked_for_type_and_size(client, member, tree, phase, settings):
    settings.SANGKIEN_ATTACHMENT_MAX_BYTES = 1000
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    big = SimpleUploadedFile("bao-cao.pdf", b"%PDF" + b"x" * 2000, content_type="application/pdf")
    response = client.post(submit_url(phase.programme), {**form_data(tree), "attachments": [bad, big]})
    html = response.content.decode()
    assert Initiative.objects.count() == 0
    assert "virus.exe" in html and "bao-cao.pdf" in html


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_attachment_is_saved_and_only_people_in_scope_can_download_it(client, member, tree, phase, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    good = SimpleUploadedFile("mo-ta.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(submit_url(phase.programme), {**form_data(tree), "attachments": [good]})
    initiative = Initiative.objects.get()
    item = initiative.attachments.get()
    url = reverse("initiatives:attachment", args=[initiative.tracking_code, item.pk])
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 test"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_qr_link_opens_the_form_with_the_unit_chosen(client, member, tree, phase):
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        redirect = client.get(reverse("units:link", args=[tree["g12"].code]))
        assert redirect["Location"].endswith(f"?don-vi={tree['g12'].code}")
        pages = [client.get(redirect["Location"]) for _ in range(2)]  # the second from the kept fragment
    for page in pages:
        chosen = re.findall(r'<option value="([^"]+)" selected>', page.content.decode())
        assert chosen == [tree["p1"].code, tree["d1"].code, tree["g12"].code]
        assert "CĐCS Công ty May Yên Khánh" in page.content.decode()


def test_qr_code_is_an_svg_of_the_unit_link(client, tree):
    response = client.get(reverse("units:qr", args=[tree["g11"].code]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in response.content
    import io

    import segno
    expected = io.BytesIO()  # the same code segno makes for the unit's public link
    segno.make("http://127.0.0.1:8000/dv/375-0001/", error="m").save(
        expected, kind="svg", scale=8, border=2, dark="#111", xmldecl=False)
    assert response.content == expected.getvalue()


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_anonymous_visitor_is_sent_to_sign_in_first(client, tree, phase):
    response = client.get(submit_url(phase.programme))
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


def test_unit_chooser_type_ahead_ignores_accents(client, tree):
    url = reverse("initiatives:unit_levels")
    response = client.get(url, {"unit_1": tree["p1"].code, "unit_2": tree["d1"].code, "q_3": "khanh hoi"})
    html = response.content.decode()
    assert "CĐCS Trường THCS Khánh Hội" in html and "Công ty May" not in html


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_same_person_in_many_initiatives_is_one_participant(client, member, tree, phase):
    client.post(submit_url(phase.programme), form_data(tree))
    client.post(submit_url(phase.programme), form_data(tree, title="Sáng kiến thứ hai"))
    assert Initiative.objects.count() == 2
    assert Person.objects.count() == 3  # the author and the two co-authors, once each


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_a_clashing_tracking_code_is_drawn_again(client, member, tree, phase, monkeypatch):
    from sangkien.initiatives import models
    from tests.factories import InitiativeFactory

    taken = InitiativeFactory(phase=phase, unit=tree["g11"]).tracking_code
    codes = iter([taken, taken, "SK-FRESH234"])
    monkeypatch.setattr(models.Initiative._meta.get_field("tracking_code"), "_get_default", lambda: next(codes))
    monkeypatch.setattr("sangkien.initiatives.services.new_tracking_code", lambda: next(codes))
    response = client.post(submit_url(phase.programme), form_data(tree))
    assert response.status_code == 302
    assert Initiative.objects.filter(submitted_by=member).get().tracking_code == "SK-FRESH234"

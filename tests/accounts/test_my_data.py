"""The person's own data: see, correct, download, consent per purpose, delete (issue 9 item 11)."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from sangkien.accounts.consent import has_consent, participation_withdrawn
from sangkien.accounts.models import ConsentRecord, ConsentVersion, PurposeConsent, User
from sangkien.accounts.services import set_consents
from sangkien.core.clock import now
from sangkien.core.models import AuditEntry
from sangkien.initiatives.models import Initiative, Person
from sangkien.privacy.services import ANONYMISED_NAME
from sangkien.reports.counting import unit_table
from tests.factories import InitiativeFactory, PersonFactory, UserFactory
from tests.http import close_response

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-dai-123"
DATA = reverse("accounts_my_data")


def download(client, fmt, query=""):
    response = client.get(reverse("accounts_my_data_download", args=[fmt]) + query)
    body = response.content
    close_response(response)
    return response, body


@pytest.fixture
def world(tree, phase):
    """Hoa (signed up, her own initiative, co-author of Bình's) and Bình (another member)."""
    hoa = UserFactory(full_name="Nguyễn Thị Hoa", phone="+84912345678", email="hoa@example.vn")
    set_consents(user=hoa, choices={"participation": True}, source="signup")
    hoa_person = Person.objects.create(full_name="Nguyễn Thị Hoa", phone="+84912345678", user=hoa,
                                       job="Giáo viên", workplace="Trường THCS Khánh Hội")
    own = InitiativeFactory(phase=phase, unit=tree["g11"], title="Bản đồ tư duy", submitted_by=hoa,
                            author=hoa_person)
    binh = UserFactory(full_name="Trần Văn Bình", phone="+84987654321", email="binh@example.vn")
    binh_person = Person.objects.create(full_name="Trần Văn Bình", phone="+84987654321", user=binh,
                                        job="Kỹ sư bí mật", workplace="Nhà máy Bình")
    shared = InitiativeFactory(phase=phase, unit=tree["g12"], title="Gá kẹp cổ áo", submitted_by=binh,
                               author=binh_person)
    shared.authorships.create(person=hoa_person, position=1)
    other = InitiativeFactory(phase=phase, unit=tree["g21"], title="Sáng kiến riêng của Bình",
                              submitted_by=binh, author=binh_person)
    return {"hoa": hoa, "hoa_person": hoa_person, "own": own, "binh": binh, "binh_person": binh_person,
            "shared": shared, "other": other, "tree": tree, "phase": phase}


def test_the_page_needs_sign_in(client, world):
    response = client.get(DATA)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get(reverse("accounts_my_data_download", args=["json"])).status_code == 302


def test_the_page_shows_what_we_hold_about_me(client, world):
    client.force_login(world["hoa"])
    html = client.get(DATA).content.decode()
    for text in ("Nguyễn Thị Hoa", "0912 345 678", "hoa@example.vn", "Giáo viên", "Trường THCS Khánh Hội",
                 "Bản đồ tư duy", "Gá kẹp cổ áo", "Đồng tác giả", "Lịch sử đồng ý"):
        assert text in html, text
    assert "Sáng kiến riêng của Bình" not in html and "Kỹ sư bí mật" not in html and "0987 654 321" not in html


def test_nobody_reaches_another_persons_data_by_id_or_phone(client, world):
    client.force_login(world["hoa"])
    binh = world["binh"]
    query = f"?id={binh.pk}&user={binh.pk}&phone=%2B84987654321&email=binh%40example.vn"
    html = client.get(DATA + query).content.decode()
    assert "Sáng kiến riêng của Bình" not in html and "binh@example.vn" not in html
    assert "0987 654 321" not in html and "+84987654321" not in html and "Nhà máy Bình" not in html
    _, body = download(client, "json", query)
    data = json.loads(body)
    assert data["account"]["phone"] == "+84912345678"
    assert "Bình" not in body.decode() and "+84987654321" not in body.decode()
    assert client.get(f"/tai-khoan/du-lieu/{binh.pk}/").status_code == 404
    assert client.get(reverse("accounts_my_data_download", args=["csv"])).status_code == 404


def test_json_download_holds_exactly_my_data(client, world):
    client.force_login(world["hoa"])
    response, body = download(client, "json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(body)
    assert data["account"]["full_name"] == "Nguyễn Thị Hoa" and data["account"]["email"] == "hoa@example.vn"
    assert data["participant"]["job"] == "Giáo viên"
    by_code = {i["tracking_code"]: i for i in data["initiatives"]}
    assert set(by_code) == {world["own"].tracking_code, world["shared"].tracking_code}
    assert by_code[world["own"].tracking_code]["roles"] == ["submitted", "author"]
    assert by_code[world["shared"].tracking_code]["roles"] == ["co_author"]
    assert [(c["purpose"], c["granted"]) for c in data["consent_history"]] == [("participation", True)]
    assert "Trần Văn Bình" not in body.decode("utf-8")  # the other author's data is not mine
    assert AuditEntry.objects.filter(action="user.data_exported", object_id=str(world["hoa"].pk)).exists()


def test_xlsx_download_holds_my_data_and_no_formula_runs(client, world):
    Initiative.objects.filter(pk=world["own"].pk).update(title="=HYPERLINK(\"http://evil\",\"x\")")
    client.force_login(world["hoa"])
    response, body = download(client, "xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames[:3] == ["Tài khoản", "Sáng kiến", "Đồng ý"]
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells
    assert not any(c.startswith("=") for c in cells)
    assert "Gá kẹp cổ áo" in cells and "Sáng kiến riêng của Bình" not in cells and "Trần Văn Bình" not in cells
    titles = [row[1] for row in book["Sáng kiến"].iter_rows(min_row=2, values_only=True)]
    assert len(titles) == 2


def test_correcting_name_email_job_and_workplace(client, world):
    client.force_login(world["hoa"])
    response = client.post(DATA, {"action": "profile", "full_name": "  Nguyễn Thị  Hoà ", "email": "Hoa2@Example.vn",
                                  "job": "Hiệu phó", "workplace": "Trường THCS Yên Khánh"})
    assert response.status_code == 302
    hoa = User.objects.get(pk=world["hoa"].pk)
    person = Person.objects.get(user=hoa)
    assert (hoa.full_name, hoa.email) == ("Nguyễn Thị Hoà", "hoa2@example.vn")
    assert (person.full_name, person.email, person.job, person.workplace) == (
        "Nguyễn Thị Hoà", "hoa2@example.vn", "Hiệu phó", "Trường THCS Yên Khánh")
    entry = AuditEntry.objects.get(action="user.profile_corrected")
    assert "Hiệu phó" not in json.dumps(entry.data, ensure_ascii=False)
    client.logout()
    assert client.post(reverse("account_login"), {"login": "hoa2@example.vn", "password": PASSWORD}).status_code == 302


def test_a_taken_email_is_refused_and_the_typed_text_kept(client, world):
    client.force_login(world["hoa"])
    response = client.post(DATA, {"action": "profile", "full_name": "Hoa Mới", "email": "binh@example.vn",
                                  "job": "Hiệu phó", "workplace": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "E-mail này đã thuộc về một tài khoản khác." in html
    assert 'value="Hoa Mới"' in html and 'value="Hiệu phó"' in html
    assert User.objects.get(pk=world["hoa"].pk).full_name == "Nguyễn Thị Hoa"


def test_consent_is_withdrawn_and_given_again_and_the_history_kept(client, world):
    hoa = world["hoa"]
    client.force_login(hoa)
    client.post(DATA, {"action": "consent", "showcase": "on", "notifications": "on"})  # participation unticked
    assert participation_withdrawn(hoa) and has_consent(hoa, "showcase") and has_consent(hoa, "notifications")
    client.post(DATA, {"action": "consent", "participation": "on", "notifications": "on"})
    assert has_consent(hoa, "participation") and not has_consent(hoa, "showcase")
    rows = list(PurposeConsent.objects.filter(user=hoa).order_by("pk").values_list("purpose", "granted"))
    assert rows == [("participation", True), ("participation", False), ("showcase", True),
                    ("notifications", True), ("participation", True), ("showcase", False)]
    assert all(v == ConsentVersion.current().pk for v in
               PurposeConsent.objects.filter(user=hoa).values_list("version", flat=True))
    html = client.get(DATA).content.decode()
    assert html.count("Rút đồng ý") >= 2


def test_withdrawn_participation_blocks_a_new_submission_with_a_clear_message(client, world):
    from tests.initiatives.test_submission import form_data

    hoa = world["hoa"]
    set_consents(user=hoa, choices={"participation": False}, source="data_page")
    client.force_login(hoa)
    url = reverse("initiatives:submit", args=[world["phase"].programme.slug])
    import time_machine

    from sangkien.core.clock import local_datetime

    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(DATA)
        assert any("rút đồng ý tham gia" in str(m) for m in get_messages(page.wsgi_request))
        before = Initiative.objects.count()
        response = client.post(url, form_data(world["tree"], title="Một sáng kiến mới hoàn toàn"))
        html = response.content.decode()
        assert response.status_code == 200 and Initiative.objects.count() == before
        assert "Bạn đã rút đồng ý tham gia chương trình" in html and "Một sáng kiến mới hoàn toàn" in html
        set_consents(user=hoa, choices={"participation": True}, source="data_page")
        assert client.get(url).status_code == 200


def test_earlier_consents_are_copied_as_participation_grants(world):
    from importlib import import_module

    copy_consents = import_module("sangkien.accounts.migrations.0003_purpose_consent").copy_consents
    binh = world["binh"]
    record = ConsentRecord.objects.create(user=binh, version=ConsentVersion.current(), given_at=now())
    copy_consents(apps, None)
    row = PurposeConsent.objects.get(user=binh)
    assert (row.purpose, row.granted, row.version_id, row.at, row.source) == (
        "participation", True, record.version_id, record.given_at, "migrated")


def test_deleting_needs_the_password_not_the_phone_shown_on_the_page(client, world):
    client.force_login(world["hoa"])
    assert client.get(reverse("accounts_delete")).status_code == 200
    for typed in ("wrong", "0912 345 678"):
        response = client.post(reverse("accounts_delete"), {"confirm": typed})
        assert response.status_code == 400 and "Tài khoản chưa bị xoá" in response.content.decode()
        assert User.objects.filter(pk=world["hoa"].pk).exists()
    response = client.post(reverse("accounts_delete"), {"confirm": PASSWORD})
    assert response.status_code == 302 and not User.objects.filter(pk=world["hoa"].pk).exists()


def test_an_account_without_a_password_confirms_with_its_phone(client, world):
    hoa = world["hoa"]
    hoa.set_unusable_password()
    hoa.save()
    client.force_login(hoa)
    response = client.post(reverse("accounts_delete"), {"confirm": "0912 345 678"})
    assert response.status_code == 302 and not User.objects.filter(pk=hoa.pk).exists()


def test_deleting_the_account_anonymises_and_keeps_counts(client, world):
    hoa, phase, tree = world["hoa"], world["phase"], world["tree"]
    before = unit_table(programme=phase.programme, unit=tree["root"]).total
    client.force_login(hoa)
    response = client.post(reverse("accounts_delete"), {"confirm": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(pk=hoa.pk).exists()
    person = Person.objects.get(pk=world["hoa_person"].pk)
    assert (person.full_name, person.phone, person.email, person.job, person.workplace, person.user) == (
        ANONYMISED_NAME, "", "", "", "", None)
    after = unit_table(programme=phase.programme, unit=tree["root"]).total
    assert (after.participants, after.submitted) == (before.participants, before.submitted)
    own = Initiative.objects.get(pk=world["own"].pk)
    assert own.submitted_by is None and own.authorships.get().person == person
    typed = own.authorships.get()
    assert (typed.full_name, typed.phone, typed.email, typed.job, typed.workplace) == (ANONYMISED_NAME, "", "", "", "")
    assert not PurposeConsent.objects.filter(user_id=hoa.pk).exists()
    entry = AuditEntry.objects.get(action="user.deleted")
    assert entry.object_id == str(hoa.pk) and entry.data == {"persons": 1, "initiatives": 2}
    dumped = json.dumps(list(AuditEntry.objects.values("data")), ensure_ascii=False)
    assert "Nguyễn Thị Hoa" not in dumped and "912345678" not in dumped
    assert client.get(DATA).status_code == 302  # signed out
    binh = Person.objects.get(pk=world["binh_person"].pk)
    assert binh.full_name == "Trần Văn Bình" and binh.user == world["binh"]


# -- the first-sign-in step for people entered by others ----------------------------------

@pytest.fixture
def entered(world):
    """Two initiatives entered by a support team naming phone +84911222333 (no account), one another phone."""
    person = PersonFactory(full_name="Lê Thị Cúc", phone="+84911222333")
    first = InitiativeFactory(phase=world["phase"], unit=world["tree"]["g11"], title="Sổ tay an toàn",
                              author=person)
    second = InitiativeFactory(phase=world["phase"], unit=world["tree"]["g12"], title="Khuôn cắt vải",
                               author=PersonFactory(full_name="Đỗ Văn Dũng", phone="+84933000111"))
    second.authorships.create(person=person, position=1)
    stranger = PersonFactory(full_name="Người lạ", phone="+84944555666")
    InitiativeFactory(phase=world["phase"], unit=world["tree"]["g11"], title="Của người lạ", author=stranger)
    return {"person": person, "first": first, "second": second, "stranger": stranger}


def make_cuc(verified=True):
    return UserFactory(full_name="Lê Thị Cúc", phone="+84911222333", phone_verified_at=now() if verified else None)


def sign_in(client, login):
    return client.post(reverse("account_login"), {"login": login, "password": PASSWORD})


def test_signing_in_with_a_verified_phone_asks_about_the_entered_initiatives(client, entered):
    make_cuc()
    response = sign_in(client, "0911 222 333")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts_claim"))
    html = client.get(response["Location"]).content.decode()
    assert "Bạn được ghi là tác giả/đồng tác giả của 2 sáng kiến" in html
    assert "Sổ tay an toàn" in html and "Khuôn cắt vải" in html and "CĐCS Công ty May Yên Khánh" in html
    assert "Của người lạ" not in html
    assert client.get(reverse("home")).status_code == 200  # the step never blocks the site


def test_an_unverified_phone_is_not_asked_and_cannot_claim(client, entered):
    cuc = make_cuc(verified=False)
    response = sign_in(client, "0911222333")
    assert not response["Location"].startswith(reverse("accounts_claim"))
    client.post(reverse("accounts_claim"), {"action": "confirm", "person": [entered["person"].pk],
                                            "participation": "on"})
    assert Person.objects.get(pk=entered["person"].pk).user is None and not Person.objects.filter(user=cuc).exists()


def test_confirming_links_the_person_and_records_consent(client, entered):
    cuc = make_cuc()
    client.force_login(cuc)
    response = client.post(reverse("accounts_claim"), {"action": "confirm", "person": [entered["person"].pk],
                                                       "participation": "on", "showcase": "on", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Person.objects.get(pk=entered["person"].pk).user == cuc
    assert has_consent(cuc, "participation") and has_consent(cuc, "showcase")
    assert set(PurposeConsent.objects.filter(user=cuc).values_list("source", flat=True)) == {"claim_step"}
    data = json.loads(download(client, "json")[1])
    assert {i["title"] for i in data["initiatives"]} == {"Sổ tay an toàn", "Khuôn cắt vải"}
    assert data["authorship_answers"][0]["decision"] == "confirmed"
    client.logout()
    assert not sign_in(client, "0911222333")["Location"].startswith(reverse("accounts_claim"))  # asked once


def test_not_me_leaves_them_unlinked_and_is_recorded(client, entered):
    cuc = make_cuc()
    client.force_login(cuc)
    client.post(reverse("accounts_claim"), {"action": "not_me", "person": [entered["person"].pk]})
    assert Person.objects.get(pk=entered["person"].pk).user is None
    assert cuc.person_claims.get().decision == "not_me"
    client.logout()
    assert not sign_in(client, "0911222333")["Location"].startswith(reverse("accounts_claim"))


def test_nobody_claims_a_participant_with_another_phone(client, entered):
    cuc = make_cuc()
    client.force_login(cuc)
    response = client.post(reverse("accounts_claim"), {
        "action": "confirm", "person": [entered["person"].pk, entered["stranger"].pk], "participation": "on"})
    assert response.status_code == 409
    assert Person.objects.get(pk=entered["stranger"].pk).user is None
    assert Person.objects.get(pk=entered["person"].pk).user is None


def test_confirming_when_already_a_participant_moves_the_authorships(client, entered, world):
    cuc = make_cuc()
    own = Person.objects.create(full_name="Lê Thị Cúc", phone="+84911222333", user=cuc)
    mine = InitiativeFactory(phase=world["phase"], unit=world["tree"]["g11"], title="Của Cúc", author=own,
                             submitted_by=cuc)
    client.force_login(cuc)
    client.post(reverse("accounts_claim"), {"action": "confirm", "person": [entered["person"].pk]})
    assert not Person.objects.filter(pk=entered["person"].pk).exists()
    assert set(own.authorships.values_list("initiative_id", flat=True)) == {
        mine.pk, entered["first"].pk, entered["second"].pk}


def test_verifying_the_phone_after_sign_up_leads_to_the_step(client, entered):
    from tests.accounts.test_phone_verification import signup, texted_code

    response = signup(client, next_url="/theo-doi/", phone="0911 222 333", full_name="Lê Thị Cúc")
    assert response["Location"].startswith(reverse("accounts_verify_phone"))  # not matched before the code
    response = client.post(reverse("accounts_verify_phone"), {"code": texted_code("+84911222333"),
                                                              "next": "/theo-doi/"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts_claim") + "?next=%2Ftheo-doi%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Sổ tay an toàn" in page and 'href="/theo-doi/"' in page  # "Để sau" goes on


def test_later_records_nothing_and_asks_again_at_the_next_sign_in(client, entered):
    cuc = make_cuc()
    assert sign_in(client, "0911222333")["Location"].startswith(reverse("accounts_claim"))
    client.get(reverse("home"))  # "Để sau" is a plain link
    client.logout()
    assert sign_in(client, "0911222333")["Location"].startswith(reverse("accounts_claim"))
    assert not cuc.person_claims.exists() and Person.objects.get(pk=entered["person"].pk).user is None

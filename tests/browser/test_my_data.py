"""The person's own data on a 390 px phone, in Vietnamese and English (issue 9 item 11).

A member opens "Dữ liệu của tôi" from the header, corrects their job, withdraws
a consent, downloads their data, then deletes their account; a person entered
by a support team signs in with their verified phone and answers "is this
you?".  Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sangkien.accounts.consent import has_consent
from sangkien.accounts.models import User
from sangkien.accounts.services import set_consents
from sangkien.core.clock import now
from sangkien.initiatives.models import Person
from sangkien.privacy.services import ANONYMISED_NAME
from tests.browser.conftest import PHONE, sign_in
from tests.factories import InitiativeFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# Strings of this branch (English in /work/po-fragments/rights.po).
TEXT = {
    "vi": {"menu": "Dữ liệu của tôi", "saved": "Đã sửa thông tin của bạn.", "wrong": "Tài khoản chưa bị xoá",
           "deleted": "Đã xoá tài khoản và dữ liệu cá nhân của bạn.",
           "claim": "Bạn được ghi là tác giả/đồng tác giả của 2 sáng kiến",
           "linked": "Đã gắn các sáng kiến với tài khoản của bạn.",
           "not_me": "đó không phải là bạn"},
    "en": {"menu": "My data", "saved": "Your details have been corrected.", "wrong": "has not been deleted",
           "deleted": "Your account and your personal data have been deleted.",
           "claim": "You are recorded as an author or co-author of 2 initiatives",
           "linked": "The initiatives are now linked to your account.",
           "not_me": "that is not you"},
}


@pytest.fixture
def phone(browser, live_server):
    """``phone(lang)``: a new 390 px page in that language; JS errors and 5xx answers fail the test."""
    contexts, problems = [], []

    def _open(lang: str):
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                      locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_member_sees_corrects_downloads_and_deletes_their_data(phone, live_server, journey_world, lang, shoot):
    text = TEXT[lang]
    member = UserFactory(full_name="Nguyễn Thị Hoa", email="hoa@khanhhoi.vn", phone="+84912345678")
    set_consents(user=member, choices={"participation": True, "showcase": True}, source="signup")
    person = Person.objects.create(full_name="Nguyễn Thị Hoa", phone="+84912345678", user=member, job="Giáo viên")
    InitiativeFactory(phase=journey_world["phase"], unit=journey_world["school"], title="Bản đồ tư duy",
                      submitted_by=member, author=person)
    page = phone(lang)
    sign_in(page, live_server.url, "0912345678")
    with page.expect_navigation():
        page.locator("header a[href='/tai-khoan/du-lieu/']").click()
    assert page.locator("h1").inner_text() == text["menu"]
    assert page.locator("[data-testid=my-name]").inner_text() == "Nguyễn Thị Hoa"
    assert "Bản đồ tư duy" in page.locator("[data-testid=my-initiatives]").inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shoot(page, f"rights-my-data-{lang}")

    page.fill("[data-testid=profile-form] input[name=job]", "Hiệu phó")
    with page.expect_navigation():
        page.locator("[data-testid=profile-form] button[type=submit]").click()
    assert text["saved"] in page.locator(".messages").inner_text()
    assert Person.objects.get(pk=person.pk).job == "Hiệu phó"

    page.locator("[data-testid=consent-form] input[name=showcase]").uncheck()
    with page.expect_navigation():
        page.locator("[data-testid=consent-form] button[type=submit]").click()
    assert not has_consent(member, "showcase") and has_consent(member, "participation")
    assert page.locator("[data-testid=consent-history] tbody tr").count() == 3

    with page.expect_download() as info:
        page.locator("[data-testid=download-json]").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["phone"] == "+84912345678" and data["participant"]["job"] == "Hiệu phó"
    assert [i["title"] for i in data["initiatives"]] == ["Bản đồ tư duy"]
    with page.expect_download() as info:
        page.locator("[data-testid=download-xlsx]").click()
    assert info.value.suggested_filename.endswith(".xlsx")

    with page.expect_navigation():
        page.locator("[data-testid=access-log-link]").click()
    assert page.url.endswith("/tai-khoan/nhat-ky-truy-cap/")
    page.go_back()

    with page.expect_navigation():
        page.locator("[data-testid=delete-link]").click()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shoot(page, f"rights-delete-{lang}")
    page.fill("[data-testid=delete-form] input[name=confirm]", "not the password")
    with page.expect_navigation():
        page.locator("[data-testid=delete-form] button[type=submit]").click()
    assert text["wrong"] in page.locator("[data-testid=delete-form]").inner_text()
    assert User.objects.filter(pk=member.pk).exists()
    page.fill("[data-testid=delete-form] input[name=confirm]", "mat-khau-dai-123")
    with page.expect_navigation():
        page.locator("[data-testid=delete-form] button[type=submit]").click()
    assert text["deleted"] in page.locator(".messages").inner_text()
    assert page.locator("header a[href='/tai-khoan/login/']").count() == 1  # signed out
    assert not User.objects.filter(pk=member.pk).exists()
    person.refresh_from_db()
    assert (person.full_name, person.phone, person.user) == (ANONYMISED_NAME, "", None)


@pytest.fixture
def entered(journey_world):
    """Two initiatives a support team entered for phone +84911222333, which has no account yet."""
    person = PersonFactory(full_name="Lê Thị Cúc", phone="+84911222333")
    InitiativeFactory(phase=journey_world["phase"], unit=journey_world["school"], title="Sổ tay an toàn",
                      author=person)
    second = InitiativeFactory(phase=journey_world["phase"], unit=journey_world["factory"], title="Khuôn cắt vải")
    second.authorships.create(person=person, position=1)
    user = UserFactory(full_name="Lê Thị Cúc", email="cuc@khanhhoi.vn", phone="+84911222333",
                       phone_verified_at=now())
    return {"person": person, "user": user}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_first_sign_in_asks_whether_the_entered_initiatives_are_theirs(phone, live_server, entered, lang, shoot):
    text = TEXT[lang]
    page = phone(lang)
    sign_in(page, live_server.url, "0911 222 333")
    assert "/tai-khoan/xac-nhan-tac-gia/" in page.url
    assert page.locator("h1").inner_text() == text["claim"]
    listed = page.locator("[data-testid=claim-list]").inner_text()
    assert "Sổ tay an toàn" in listed and "CĐCS Công ty May Yên Khánh" in listed
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shoot(page, f"rights-claim-{lang}")
    page.locator("[data-testid=claim-form] input[name=participation]").check()
    with page.expect_navigation():
        page.locator("[data-testid=claim-confirm]").click()
    assert text["linked"] in page.locator(".messages").inner_text()
    assert Person.objects.get(pk=entered["person"].pk).user == entered["user"]
    assert has_consent(entered["user"], "participation")


def test_not_me_leaves_the_initiatives_unlinked_and_sign_out_stays_reachable(phone, live_server, entered):
    page = phone("en")
    sign_in(page, live_server.url, "0911222333")
    assert "/tai-khoan/xac-nhan-tac-gia/" in page.url
    page.goto(f"{live_server.url}/sang-kien/cua-toi/")  # the step never blocks the rest of the site
    assert "/sang-kien/cua-toi/" in page.url
    page.goto(f"{live_server.url}/tai-khoan/xac-nhan-tac-gia/")
    with page.expect_navigation():
        page.locator("[data-testid=claim-not-me]").click()
    assert TEXT["en"]["not_me"] in page.locator(".messages").inner_text()
    assert Person.objects.get(pk=entered["person"].pk).user is None
    with page.expect_navigation():
        page.locator("header form[action='/tai-khoan/logout/'] button").click()
    assert page.locator("header a[href='/tai-khoan/login/']").count() == 1

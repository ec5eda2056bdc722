"""On a phone (390 px), in Vietnamese and English: a member sees who viewed their data, and a
reviewer chooses to export phones and e-mails with a stated purpose (issue 9 item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sangkien.core.clock import now
from tests.browser.conftest import PHONE, sign_in, switch_language
from tests.factories import InitiativeFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
TEXTS = {
    "vi": {"title": "Ai đã xem dữ liệu của tôi", "viewed": "Xem sáng kiến", "reviewer": "Người xét duyệt",
           "export": "Tải danh sách có số điện thoại, e-mail", "choice": "Ghi đủ số điện thoại và e-mail của tác giả",
           "purpose_needed": "Hãy ghi mục đích sử dụng số điện thoại và e-mail."},
    "en": {"title": "Who viewed my data", "viewed": "Viewed the initiative", "reviewer": "Reviewer",
           "export": "Downloaded a list with phone numbers and e-mails",
           "choice": "Include the authors' full phone numbers and e-mails",
           "purpose_needed": "State what you need the phone numbers and e-mails for."},
}


def _member_with_initiative(world):
    member = UserFactory(full_name="Nguyen Thi Hoa", email="hoa@example.vn", phone="+84912345678")
    person = PersonFactory(full_name="Nguyen Thi Hoa", phone="+84912345678", email="hoa@example.vn", user=member)
    initiative = InitiativeFactory(phase=world["phase"], unit=world["school"], title="Electronic homework book",
                                   submitted_by=member, submitted_at=now(), author=person)
    return member, initiative


def _context(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _watch(page, problems):
    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_member_sees_who_viewed_their_data(journey_world, live_server, browser, language):
    base, world = live_server.url, journey_world
    member, initiative = _member_with_initiative(world)
    texts = TEXTS[language]
    problems: list[str] = []

    member_ctx, reviewer_ctx = _context(browser), _context(browser)
    page = member_ctx.new_page()
    _watch(page, problems)
    sign_in(page, base, member.email)
    page.goto(f"{base}/sang-kien/{initiative.tracking_code}/")  # the member's own view: not logged
    page.goto(f"{base}/tai-khoan/nhat-ky-truy-cap/")
    switch_language(page, language)
    assert page.locator("h1").inner_text() == texts["title"]
    assert page.locator("[data-testid=no-access]").is_visible()

    officer = reviewer_ctx.new_page()
    _watch(officer, problems)
    sign_in(officer, base, world["reviewer"].email)
    officer.goto(f"{base}/sang-kien/{initiative.tracking_code}/")
    assert "0912 345 678" in officer.content()  # the reviewer saw the member's phone

    page.reload()
    rows = page.locator("[data-testid=access]")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "Phạm Thị Duyệt" in row and texts["reviewer"] in row and "LĐLĐ huyện Yên Khánh" in row
    assert texts["viewed"] in row and "Electronic homework book" in row and initiative.tracking_code in row
    assert "@" not in row  # no contact of the viewer (their e-mail is on file)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    if language == "en":
        assert TEXTS["vi"]["title"] not in page.content()

    # Someone else signed in sees nothing of it.
    officer.goto(f"{base}/tai-khoan/nhat-ky-truy-cap/")
    assert officer.locator("[data-testid=access]").count() == 0
    member_ctx.close()
    reviewer_ctx.close()
    assert not problems, problems


@pytest.mark.parametrize("language", ["vi", "en"])
def test_reviewer_exports_personal_data_only_with_a_purpose(journey_world, live_server, browser, language):
    base, world = live_server.url, journey_world
    member, _initiative = _member_with_initiative(world)
    texts = TEXTS[language]
    problems: list[str] = []
    context = _context(browser)
    page = context.new_page()
    _watch(page, problems)
    sign_in(page, base, world["reviewer"].email)
    page.goto(f"{base}/can-bo/xuat/{world['programme'].slug}/375/")
    switch_language(page, language)
    choice = page.locator("[data-testid=personal-choice]")
    assert texts["choice"] in choice.inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # Ticked without a purpose: the page comes back with the error, the box still ticked.
    page.locator("input[name=ca_nhan]").check()
    with page.expect_navigation():
        page.locator("button[name=tai][value='initiatives.csv']").click()
    assert texts["purpose_needed"] in choice.inner_text()
    assert page.locator("input[name=ca_nhan]").is_checked()

    # With a purpose: the list carries the full phone and e-mail.
    page.fill("input[name=muc_dich]", "Call the authors about the award")
    with page.expect_download() as download_info:
        page.locator("button[name=tai][value='initiatives.csv']").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "0912 345 678" in text and "hoa@example.vn" in text

    # Unticked: masked.
    page.locator("input[name=ca_nhan]").uncheck()
    with page.expect_download() as download_info:
        page.locator("button[name=tai][value='initiatives.csv']").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "0912 *** 678" in text and "0912 345 678" not in text and "hoa@example.vn" not in text
    context.close()

    # The member sees the one export that carried their data, with its purpose.
    member_ctx = _context(browser)
    mine = member_ctx.new_page()
    _watch(mine, problems)
    sign_in(mine, base, member.email)
    mine.goto(f"{base}/tai-khoan/nhat-ky-truy-cap/")
    switch_language(mine, language)
    rows = mine.locator("[data-testid=access]")
    assert rows.count() == 1
    assert texts["export"] in rows.first.inner_text() and "Call the authors about the award" in rows.first.inner_text()
    member_ctx.close()
    assert not problems, problems

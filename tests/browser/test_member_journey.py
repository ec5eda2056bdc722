"""End to end on a phone: QR link → sign up → submit → review → dashboard → "mine",
in Vietnamese and in English (chosen with the header's switcher on the QR page).

Drives Debian's chromium through Playwright against pytest-django's live
server; saves a screenshot of every step to var/screenshots/ (01-…10-; the
English run's end in ``-en``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from sangkien.accounts.models import User
from sangkien.accounts.sms import read_messages
from sangkien.initiatives.models import Initiative, Status
from tests.browser.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    sign_in,
    switch_language,
    type_description,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise warns at start-up when STATIC_ROOT (var/static/) has not been
    # collected; the live server serves static files from the finders anyway.
]

TIMEOUT_MS = 10_000
MEMBER_PHONE = "0912 345 678"  # as people write it; stored as +84912345678
MEMBER_NAME = "Nguyễn Thị Hoa"
MEMBER_PASSWORD = "Hoa-khanh-hoi-2023"
TITLE = "Sổ tay điện tử theo dõi bài tập về nhà của học sinh"
#: What the pages say, per language: written out, so an untranslated page fails the English run.
TEXTS = {
    "vi": {"landing": "Gửi sáng kiến cho đơn vị", "signup": "Đăng ký", "signup_h1": "Đăng ký", "verify": "Xác minh số điện thoại",
           "form": "Gửi sáng kiến", "preselected": "Đơn vị của bạn (theo mã QR):",
           "submitted": "Đã gửi, chờ xét duyệt", "approved": "Được thông qua", "approved_column": "Thông qua",
           "mine": "Sáng kiến của tôi"},
    "en": {"landing": "Send an initiative for the unit", "signup": "Sign up", "signup_h1": "Sign Up", "verify": "Verify your phone number",
           "form": "Submit an initiative", "preselected": "Your unit (from the QR code):",
           "submitted": "Submitted, awaiting review", "approved": "Approved", "approved_column": "Approved",
           "mine": "My initiatives"},
}


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.locator("header form[action*='/tai-khoan/logout/'] button[type=submit]").click()
    assert page.locator("header a[href*='/tai-khoan/login/']").is_visible()


@pytest.fixture
def _texts_to_files(settings, tmp_path):
    """Text messages go to files the test can read; SMS rate limits start empty."""
    settings.SANGKIEN_SMS_BACKEND = "sangkien.accounts.sms.FileBackend"
    settings.SANGKIEN_SMS_FILE_PATH = str(tmp_path / "sms")
    cache.clear()


def _texted_code(phone: str) -> str:
    return re.search(r"\b(\d{6})\b", read_messages(to=phone)[-1]["text"]).group(1)


@pytest.mark.usefixtures("_texts_to_files")
@pytest.mark.parametrize("language", ["vi", "en"])
def test_member_journey_from_qr_to_dashboard(journey_world, live_server, browser, shoot, language):
    texts = TEXTS[language]
    suffix = "" if language == "vi" else f"-{language}"
    base = live_server.url
    slug = journey_world["programme"].slug
    form_path = f"/chuong-trinh/{slug}/gui-sang-kien/"
    problems: list[str] = []

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)

    # 1. The QR code of the grassroots union, scanned by someone not signed in:
    # our landing page names the unit and the programme; sign-up is the main action.
    # The member chooses the language in the header there.
    page.goto(f"{base}/dv/375-0001/")
    switch_language(page, language)
    assert urlsplit(page.url).path == "/dv/375-0001/"
    assert texts["landing"] in page.locator("main").inner_text()
    assert page.locator("[data-testid=signup]").inner_text().strip() == texts["signup"]
    signup_href = page.locator("main a[href*='/tai-khoan/signup/']").first.get_attribute("href")
    next_url = parse_qs(urlsplit(signup_href).query)["next"][0]
    assert urlsplit(next_url).path == form_path
    assert parse_qs(urlsplit(next_url).query)["don-vi"] == ["375-0001"]
    shoot(page, f"01-qr-link-landing{suffix}")

    # 2. Sign up with a phone number; allauth keeps ``next`` and lands on the form.
    page.locator("main a[href*='/tai-khoan/signup/']").first.click()
    page.wait_for_url(re.compile(r"/tai-khoan/signup/"))
    page.fill("input[name=full_name]", MEMBER_NAME)
    page.fill("input[name=phone]", MEMBER_PHONE)
    page.fill("input[name=password1]", MEMBER_PASSWORD)
    page.fill("input[name=password2]", MEMBER_PASSWORD)
    page.check("input[name=consent]")
    assert page.locator("html").get_attribute("lang") == language
    assert texts["signup_h1"] in page.locator("h1").inner_text()  # allauth's page
    shoot(page, f"02-signup{suffix}")
    with page.expect_navigation():
        page.locator("form[action*='/tai-khoan/signup/'] button[type=submit]").click()
    # A code is texted to the phone (FileBackend here); typing it verifies the
    # phone and goes on to the form.
    assert urlsplit(page.url).path == "/tai-khoan/phone/confirm/", page.locator("main").inner_text()
    assert texts["verify"] in page.locator("h1").inner_text()
    member = User.objects.get(phone="+84912345678")
    assert member.full_name == MEMBER_NAME and not member.is_phone_verified
    page.fill("input[name=code]", _texted_code("+84912345678"))
    with page.expect_navigation():
        page.locator("[data-testid=verify-form] button[type=submit]").click()
    assert urlsplit(page.url).path == form_path, page.locator("main").inner_text()
    member.refresh_from_db()
    assert member.is_phone_verified
    page.wait_for_selector("trix-editor")
    assert page.locator("#id_unit_1").input_value() == "37"
    assert page.locator("#id_unit_2").input_value() == "375"
    assert page.locator("#id_unit_3").input_value() == "375-0001"
    assert page.locator("#id_author_full_name").input_value() == MEMBER_NAME
    assert texts["form"] in page.locator("h1").inner_text()
    assert texts["preselected"] in page.locator(".preselected").inner_text()
    assert "CĐCS Trường THCS Khánh Hội" in page.locator(".preselected").inner_text()
    shoot(page, f"03-submission-form{suffix}")

    # 3. Fill in and send.
    page.check("input[name=sector_block][value=public]")
    page.select_option("#id_field", label="Giáo dục, đào tạo")
    page.fill("#id_title", TITLE)
    type_description(page, "Giáo viên chủ nhiệm ghi bài tập trên bảng tính dùng chung.")
    page.keyboard.press("Enter")
    # Trix handles the Enter key a moment later; keys typed before that land
    # as stray line breaks, so wait until the break is in the hidden input.
    page.wait_for_function("() => document.querySelector('#id_description').value.includes('<br>')")
    type_description(page, "Phụ huynh xem được mỗi tối qua điện thoại.", click=False)
    page.fill("#id_effect_summary", "Giảm 30 % số học sinh quên bài; tiết kiệm giấy in.")
    page.fill("#id_benefit_vnd", "1,5 triệu")
    shoot(page, f"04-submission-form-filled{suffix}")
    with page.expect_navigation():
        page.locator("form.submission-form button[type=submit]").last.click()
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert re.fullmatch(r"SK-[A-Z2-9]{8}", code), code
    assert texts["submitted"] in page.locator("main").inner_text()
    shoot(page, f"05-tracking-page{suffix}")

    initiatives = list(Initiative.objects.select_related("unit"))
    assert len(initiatives) == 1
    initiative = initiatives[0]
    assert initiative.tracking_code == code
    assert initiative.benefit_vnd == 1_500_000
    assert initiative.unit.code == "375-0001"
    assert initiative.status == Status.SUBMITTED
    assert initiative.submitted_by == member
    assert "Giáo viên chủ nhiệm ghi bài tập" in initiative.description
    assert "Phụ huynh xem được mỗi tối" in initiative.description

    # 4. The district reviewer approves it from the queue.
    _sign_out(page)
    sign_in(page, base, journey_world["reviewer"].email, PASSWORD)
    page.goto(f"{base}/can-bo/xet-duyet/{slug}/?don-vi=375")
    assert page.locator("html").get_attribute("lang") == language  # the choice outlives signing out
    item = page.locator("article.queue-item", has_text=TITLE)
    assert item.count() == 1
    shoot(page, f"06-review-queue{suffix}")
    with page.expect_navigation():
        item.locator("button[name=decision][value=approved]").click()
    assert texts["approved"] in page.locator(".messages").inner_text()
    shoot(page, f"07-review-approved{suffix}")
    initiative.refresh_from_db()
    assert initiative.status == Status.APPROVED

    # 5. The district dashboard counts it, on the phone and on a desktop.
    page.goto(f"{base}/thong-ke/{slug}/375/")
    assert page.locator("[data-testid=total-approved]").inner_text().strip() == "1"
    row = page.locator("[data-testid=stats-table] tbody tr", has_text="CĐCS Trường THCS Khánh Hội")
    assert row.count() == 1
    assert row.locator("td").nth(4).inner_text().strip() == "1"  # "Thông qua" column
    header = page.locator("[data-testid=stats-table] thead th").nth(4).inner_text().strip()
    assert header == texts["approved_column"], header
    shoot(page, f"08-dashboard-phone{suffix}")
    page.set_viewport_size(DESKTOP)
    shoot(page, f"09-dashboard-desktop{suffix}")
    page.set_viewport_size(PHONE)

    # 6. The member signs back in and sees the decision on "Sáng kiến của tôi".
    _sign_out(page)
    sign_in(page, base, MEMBER_PHONE, MEMBER_PASSWORD)
    page.goto(f"{base}/sang-kien/cua-toi/")
    assert texts["mine"] in page.locator("h1").inner_text()
    card = page.locator("article.card", has_text=TITLE)
    assert card.count() == 1
    assert texts["approved"] in card.inner_text()
    assert code in card.inner_text()
    shoot(page, f"10-my-initiatives{suffix}")

    context.close()
    assert problems == []

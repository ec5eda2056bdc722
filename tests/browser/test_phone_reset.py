"""On a phone: sign up by phone → verify with the texted code → sign out →
“Quên mật khẩu?” → code by SMS → new password → signed in; then the limit.

Texts go to files (``FileBackend``) the test reads the codes from.  Runs in
Vietnamese and in English at 390 px; screenshots under var/screenshots/.
Texts are compared with the catalogue of the page's language, so the English
run checks the English of sangkien/locale/en once it has these strings.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import translation

from sangkien.accounts.models import User
from sangkien.accounts.sms import read_messages
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NUMBER = "0912 345 678"
E164 = "+84912345678"
FIRST_PASSWORD = "Hoa-khanh-hoi-2023"
NEW_PASSWORD = "Mat-khau-moi-2024"


@pytest.fixture
def texts(settings, tmp_path):
    settings.SANGKIEN_SMS_BACKEND = "sangkien.accounts.sms.FileBackend"
    settings.SANGKIEN_SMS_FILE_PATH = str(tmp_path / "sms")
    cache.clear()
    yield
    cache.clear()


def _code() -> str:
    return re.search(r"\b(\d{6})\b", read_messages(to=E164)[-1]["text"]).group(1)


def _t(lang: str, msgid: str) -> str:
    """``msgid`` as the catalogue of ``lang`` has it (the text the page must show)."""
    with translation.override(lang):
        return translation.gettext(msgid)


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.usefixtures("texts", "transactional_db")
def test_sign_up_verify_forget_and_reset_by_sms(live_server, browser, lang):
    base = live_server.url
    problems: list[str] = []
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN" if lang == "vi" else "en-US",
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)

    # 1. Sign up with a phone: a code is texted and asked for.
    page.goto(f"{base}/tai-khoan/signup/")
    assert page.locator("html").get_attribute("lang") == lang
    page.fill("input[name=full_name]", "Nguyễn Thị Hoa")
    page.fill("input[name=phone]", NUMBER)
    page.fill("input[name=password1]", FIRST_PASSWORD)
    page.fill("input[name=password2]", FIRST_PASSWORD)
    page.check("input[name=consent]")
    _submit(page, "form[action*='/tai-khoan/signup/'] button[type=submit]")
    assert urlsplit(page.url).path == "/tai-khoan/phone/confirm/"
    assert E164 in page.locator("[data-testid=verify-phone]").inner_text()
    assert page.locator("h1").inner_text() == _t(lang, "Xác minh số điện thoại")
    assert (_t(lang, "Đã gửi mã xác minh đến số %(phone)s.") % {"phone": E164}
            in page.locator(".messages").inner_text())
    _no_sideways_scroll(page)
    _shoot(page, f"accounts-{lang}-01-verify-phone")
    member = User.objects.get(phone=E164)
    assert not member.is_phone_verified

    # 2. The texted code verifies the phone.
    page.fill("input[name=code]", _code())
    _submit(page, "[data-testid=verify-form] button[type=submit]")
    assert urlsplit(page.url).path == "/"
    member.refresh_from_db()
    assert member.is_phone_verified
    assert (_t(lang, "Đã xác minh số điện thoại %(phone)s.") % {"phone": E164}
            in page.locator(".messages").inner_text())

    # 3. Sign out; on the sign-in page, “Quên mật khẩu?”.
    _submit(page, "header form[action*='/tai-khoan/logout/'] button[type=submit]")
    page.goto(f"{base}/tai-khoan/login/")
    forgot = page.locator("main a[href='/tai-khoan/password/reset/']")
    assert forgot.inner_text().strip() == ("Quên mật khẩu?" if lang == "vi" else "Forgot your password?")
    forgot.click()
    page.wait_for_url(re.compile(r"/tai-khoan/password/reset/$"))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == _t(lang, "Quên mật khẩu?")
    page.fill("input[name=login]", NUMBER)
    _no_sideways_scroll(page)
    _shoot(page, f"accounts-{lang}-02-forgot-password")
    _submit(page, "[data-testid=reset-request-form] button[type=submit]")

    # 4. The code from the text message, then a new password: signed in.
    assert urlsplit(page.url).path == "/tai-khoan/password/reset/sms/code/"
    page.fill("input[name=code]", _code())
    _no_sideways_scroll(page)
    _shoot(page, f"accounts-{lang}-03-reset-code")
    _submit(page, "[data-testid=reset-code-form] button[type=submit]")
    assert urlsplit(page.url).path == "/tai-khoan/password/reset/sms/new/"
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    _no_sideways_scroll(page)
    _shoot(page, f"accounts-{lang}-04-new-password")
    _submit(page, "[data-testid=reset-set-form] button[type=submit]")
    assert urlsplit(page.url).path == "/"
    assert page.locator("header form[action*='/tai-khoan/logout/']").is_visible()
    assert _t(lang, "Đã đặt mật khẩu mới.") in page.locator(".messages").inner_text()
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    _shoot(page, f"accounts-{lang}-05-signed-in")

    # 5. Asking again and again: the third text this number got in ten minutes
    # is the last; the next request is answered with a message, the number kept.
    _submit(page, "header form[action*='/tai-khoan/logout/'] button[type=submit]")
    page.goto(f"{base}/tai-khoan/password/reset/")
    page.fill("input[name=login]", NUMBER)
    _submit(page, "[data-testid=reset-request-form] button[type=submit]")
    assert urlsplit(page.url).path == "/tai-khoan/password/reset/sms/code/"
    assert len(read_messages(to=E164)) == 3
    page.goto(f"{base}/tai-khoan/password/reset/")
    page.fill("input[name=login]", NUMBER)
    with page.expect_navigation() as navigation:
        page.locator("[data-testid=reset-request-form] button[type=submit]").click()
    assert navigation.value.status == 429
    assert page.locator("input[name=login]").input_value() == NUMBER
    alert = page.locator(".form-errors").inner_text()
    assert _t(lang, "Bạn đã yêu cầu quá nhiều lần. Hãy đợi ít phút rồi thử lại.") in alert
    if lang == "vi":
        assert "Bạn đã yêu cầu quá nhiều lần. Hãy đợi ít phút rồi thử lại." in alert
    assert len(read_messages(to=E164)) == 3
    _no_sideways_scroll(page)
    _shoot(page, f"accounts-{lang}-06-rate-limited")

    context.close()
    assert problems == []

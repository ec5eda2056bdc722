"""The description editor's toolbar speaks the page's language (issue 8, item 11), on a phone.

Trix draws its toolbar from ``Trix.config.lang`` (English); static/js/trix-lang.js
fills it from the page's translated labels before the toolbar is drawn.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
#: Button (by Trix's CSS class) → its title in Vietnamese and in English.
BUTTONS = {
    "bold": ("Chữ đậm", "Bold"),
    "italic": ("Chữ nghiêng", "Italic"),
    "bullet-list": ("Gạch đầu dòng", "Bullets"),
    "number-list": ("Danh sách số", "Numbers"),
    "undo": ("Hoàn tác", "Undo"),
}


def _toolbar_titles(page) -> dict[str, str]:
    page.wait_for_selector("trix-toolbar .trix-button--icon-bold")
    return {name: page.locator(f"trix-toolbar .trix-button--icon-{name}").get_attribute("title")
            for name in BUTTONS}


@pytest.mark.parametrize(("language", "index"), [("vi", 0), ("en", 1)])
@pytest.mark.parametrize("where", ["submit", "enter"])
def test_editor_toolbar_in_the_page_language(journey_world, live_server, browser, language, index, where):
    """A member's submission form and an officer's proxy-entry form, in Vietnamese and in English."""
    user = UserFactory(email="hoa@example.vn", full_name="Nguyễn Thị Hoa")
    slug = journey_world["programme"].slug
    if where == "enter":
        from tests.factories import grant

        grant(user, journey_world["district"], "support_team")
        path = f"/can-bo/don-vi/375/nhap-ho/{slug}/"
    else:
        path = f"/chuong-trinh/{slug}/gui-sang-kien/?don-vi=375-0001"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/tai-khoan/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form[action*='/tai-khoan/login/'] button[type=submit]").click()
        if language == "en":  # the EN switch in the header, as a reader would
            page.goto(f"{live_server.url}{path}")
            with page.expect_navigation():
                page.locator("header button[name=language][value=en]").click()
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        titles = _toolbar_titles(page)
        assert titles == {name: labels[index] for name, labels in BUTTONS.items()}
        # the link dialog too
        placeholder = page.locator("trix-toolbar input[name=href]").get_attribute("placeholder")
        assert placeholder == ("Nhập địa chỉ URL…", "Enter a URL…")[index]
        # the editor still works: typing reaches the hidden input
        page.locator("trix-editor").click()
        page.keyboard.type("Gá kẹp")
        expect(page.locator("input#id_description")).to_have_value(re.compile("Gá kẹp"))
    finally:
        context.close()
    assert not errors, errors

"""On a phone: an officer who signed in a while ago downloads the list of initiatives (with phone
numbers): the site asks for the password first, then the download goes on; in Vietnamese and English.

The sign-in is made "old" by moving the session's authentication times 20 minutes back (the browser
needs the real clock); screenshots go to var/screenshots/reauth-*.png.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from openpyxl import load_workbook

from sangkien.core.middleware import SESSION_STATE_KEY
from tests.browser.conftest import PASSWORD, PHONE, sign_in, switch_language
from tests.factories import InitiativeFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "vi": {"title": "Xác nhận truy cập", "button": "Xác nhận", "wrong": "không đúng"},
    "en": {"title": "Confirm Access", "button": "Confirm", "wrong": "incorrect"},
}


def _age_sign_in(context, minutes: int) -> None:
    """Move every authentication time of the browser's session ``minutes`` back."""
    key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    state = session[SESSION_STATE_KEY]
    session[SESSION_STATE_KEY] = {**state, "auth_at": state["auth_at"] - minutes * 60}
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - minutes * 60} for record in session.get("account_authentication_methods", [])]
    session.save()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_export_with_personal_data_asks_for_the_password_first(
        live_server, browser, journey_world, settings, tmp_path, shoot, language):
    settings.MEDIA_ROOT = tmp_path
    w = journey_world
    InitiativeFactory(phase=w["phase"], unit=w["factory"], title="Gá kẹp cổ áo",
                      author=PersonFactory(full_name="Nguyễn Thị Hoa", phone="+84912345678"))
    texts = TEXTS[language]
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server.url, "duyet@yenkhanh.vn")
    page.goto(f"{live_server.url}/can-bo/xuat/{w['programme'].slug}/375/")
    switch_language(page, language)
    _age_sign_in(context, minutes=20)

    page.locator("input[name=ca_nhan]").check()
    page.fill("input[name=muc_dich]", "Gọi điện mời tác giả dự lễ")
    page.locator("[data-testid=export-initiatives-xlsx]").click()
    page.wait_for_url("**/reauthenticate/**")
    assert page.locator("h1").inner_text() == texts["title"]
    shoot(page, f"reauth-01-password-{language}")
    page.fill("input[name=password]", "sai-mat-khau")
    page.locator("main button[type=submit]", has_text=texts["button"]).click()
    assert texts["wrong"] in page.locator("main").inner_text().lower()
    page.fill("input[name=password]", PASSWORD)
    with page.expect_download() as download_info:
        page.locator("main button[type=submit]", has_text=texts["button"]).click()
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()), read_only=True).worksheets[0]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "Gá kẹp cổ áo" in cells and any("912" in c and "345" in c for c in cells), cells
    context.close()

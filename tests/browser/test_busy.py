"""A member presses "Gửi" while the database is busy (issue 9 item 6), on a 390 px phone.

The database answers "database is locked" inside the saving transaction (as
SQLite does past its busy timeout while an import writes): the form comes back
(HTTP 503) with the busy message, the title, the description in the editor and
the chosen file held; pressing the button again saves it with the file.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError

from sangkien.duplicates import services
from sangkien.initiatives.models import Initiative
from tests.browser.conftest import PHONE, sign_in, type_description
from tests.factories import UserFactory
from tests.uploads import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUSY = {"vi": "Hệ thống đang bận nên chưa lưu được",
        "en": "The system is busy and could not save yet"}


def locked(*_args, **_kwargs):
    raise OperationalError("database is locked")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_busy_database_gives_the_form_back_and_sending_again_saves_it(
        journey_world, browser, live_server, shoot, monkeypatch, lang):
    UserFactory(full_name="Nguyễn Thị Hoa", email="hoa@khanhhoi.vn")
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.status >= 500 else None)
    try:
        sign_in(page, live_server.url, "hoa@khanhhoi.vn")
        page.goto(f"{live_server.url}/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001")
        page.wait_for_selector("trix-editor")
        page.fill("#id_author_phone", "0912 345 678")
        page.check("input[name=sector_block][value=enterprise]")
        page.fill("#id_title", "Mài dao máy cắt theo lịch")
        type_description(page, "Dao được mài mỗi tuần.")
        page.fill("#id_benefit_vnd", "2 triệu")
        page.set_input_files("#id_attachments", files=[
            {"name": "anh-may-cat.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}])  # a real photo
        with monkeypatch.context() as patched:
            patched.setattr(services, "index_initiative", locked)
            with page.expect_navigation():
                page.locator("form.submission-form button[type=submit]").last.click()
        assert statuses == [503]
        assert BUSY[lang] in page.locator(".form-errors").inner_text()
        assert page.locator("#id_title").input_value() == "Mài dao máy cắt theo lịch"
        assert "mỗi tuần" in page.locator("trix-editor").inner_text()
        assert page.locator("#id_benefit_vnd").input_value() == "2 triệu"
        assert "anh-may-cat.jpg" in page.locator("[data-testid=held-files]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shoot(page, f"member-busy-{lang}")
        assert Initiative.objects.count() == 0
        with page.expect_navigation():
            page.locator("form.submission-form button[type=submit]").last.click()
        initiative = Initiative.objects.get(title="Mài dao máy cắt theo lịch")
        assert [a.original_name for a in initiative.attachments.all()] == ["anh-may-cat.jpg"]
        assert initiative.tracking_code in page.locator("main").inner_text()
        assert statuses == [503]
    finally:
        context.close()

"""Typing the description, then the next field, when the phone draws its frames late.

Trix draws each key in the next animation frame and, in that frame, puts the selection
back into the editor, which moves the focus there (basecamp/trix#353).  Twice in CI a
browser test filled the benefit box before that frame: the text went into the
description and the benefit box stayed empty.  The tests now type the description with
``type_description``, which waits for Trix's frame; this test slows every frame to a
quarter of a second (a cheap phone under load): a helper which did not wait would see the
focus taken from the benefit box here, every time.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, TWO_FRAMES, sign_in, type_description
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW_FRAMES = """
window.requestAnimationFrame = callback => setTimeout(() => callback(performance.now()), 250);
window.cancelAnimationFrame = id => clearTimeout(id);
"""


def test_the_benefit_typed_right_after_the_description_stays_in_the_benefit_box(
        journey_world, browser, live_server):
    UserFactory(full_name="Nguyễn Thị Hoa", email="hoa@khanhhoi.vn")
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    context.add_init_script(SLOW_FRAMES)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "hoa@khanhhoi.vn")
        page.goto(f"{live_server.url}/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001")
        page.wait_for_function("() => document.querySelector('trix-editor').editor")
        page.fill("#id_title", "Mài dao máy cắt theo lịch")
        type_description(page, "Dao được mài mỗi tuần.")
        page.fill("#id_benefit_vnd", "2 triệu")
        page.evaluate(TWO_FRAMES)  # a frame still due would have taken the focus by now
        assert page.evaluate("document.activeElement.id") == "id_benefit_vnd"
        assert page.locator("#id_benefit_vnd").input_value() == "2 triệu"
        description = page.locator("#id_description").input_value()
        assert "Dao được mài mỗi tuần." in description and "2 triệu" not in description
    finally:
        context.close()

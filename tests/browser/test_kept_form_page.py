"""The submission form served whole from the cache works in a browser (issue 12, round 12).

At the deadline a member's form page comes from the cache with their own author fields and the
request's tokens filled in (``initiatives/form_page.py: serve_page``). In Chromium at 390 px, in
both languages, for a member and for an officer (whose navigation differs): the second page is
the kept one, shows this person's own data, raises no Content-Security-Policy violation (its
nonce is the header's), asks the similar panel (htmx sends its CSRF token) and is accepted when
sent (the kept page's CSRF and submission tokens are this request's).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from sangkien.initiatives.form_page import PAGE_KEY
from sangkien.initiatives.models import Initiative
from tests.browser.conftest import PHONE, sign_in, switch_language, type_description
from tests.browser.test_csp import COLLECT
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.browser

TEXTS = {
    "vi": {"officers": "Cán bộ", "sent": "Đã gửi sáng kiến"},
    "en": {"officers": "Officers", "sent": "Initiative submitted"},
}


def _kept_pages() -> int:
    """How many whole form pages the cache holds (the live server runs in this process)."""
    return sum(PAGE_KEY in key for key in cache._cache)  # type: ignore[attr-defined]  # LocMemCache's dict


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("role", ["member", "officer"])
def test_the_kept_form_page_is_filled_for_its_member_and_accepted(journey_world, live_server, browser, shoot,
                                                                 language, role):
    world = journey_world
    base = live_server.url
    person = UserFactory(full_name=f"Võ Thị {role.title()} <&>", phone="+84912000555",
                         email=f"{role}@example.vn")
    if role == "officer":
        grant(person, world["district"], "reviewer")
    form = f"{base}/chuong-trinh/{world['programme'].slug}/gui-sang-kien/?don-vi={world['school'].code}"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    context.add_init_script(COLLECT)
    page = context.new_page()
    try:
        sign_in(page, base, person.email)
        page.goto(f"{base}/theo-doi/")
        switch_language(page, language)
        cache.clear()
        page.goto(form)  # rendered with holes and kept
        assert _kept_pages() == 1
        page.goto(form)  # served from the cache
        assert _kept_pages() == 1
        page.wait_for_selector("trix-toolbar")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("#id_author_full_name").input_value() == f"Võ Thị {role.title()} <&>"
        assert page.locator("#id_author_phone").input_value() == "0912 000 555"
        assert page.locator("#id_author_email").input_value() == f"{role}@example.vn"
        assert page.locator("#id_unit_3").input_value() == world["school"].code
        officers_link = page.locator("header nav a", has_text=TEXTS[language]["officers"])
        assert officers_link.count() == (1 if role == "officer" else 0)
        assert re.fullmatch(r"[0-9a-f]{32}", page.locator("input[name=submission_token]").input_value())
        shoot(page, f"kept-form-{role}-{language}")

        page.check("input[name=sector_block][value=public]")
        page.fill("#id_title", f"Sổ liên lạc điện tử cho {role}")
        page.locator("#id_title").press("Tab")
        type_description(page, "Giáo viên ghi bài tập về nhà của từng lớp vào sổ tay điện tử, "
                               "phụ huynh xem trên điện thoại mỗi tối.")
        page.wait_for_selector("#similar-panel [data-testid=similar-none]")  # htmx posted with the token
        with page.expect_navigation():
            page.locator("form.submission-form button[type=submit]").last.click()
        assert TEXTS[language]["sent"] in page.locator("main").inner_text()
        violations = page.evaluate("window.__cspViolations")
    finally:
        context.close()
    assert not violations, violations
    initiative = Initiative.objects.get()
    assert initiative.submitted_by == person and initiative.unit == world["school"]
    assert initiative.authorships.get().full_name == f"Võ Thị {role.title()} <&>"

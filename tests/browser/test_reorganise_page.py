"""A provincial officer reorganises units from a plan file, on a 390 px phone, in Vietnamese and English (issue 11).

Upload → preview (what is dissolved, what comes along, the district reviewer's role to reassign) →
confirm with a double tap → applied once.
"""

from __future__ import annotations

import pytest

from sangkien.roles.models import RoleAssignment
from sangkien.units.models import PlanStatus, ReorganisationPlan, Unit, UnitSuccession
from tests.browser.conftest import PHONE, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
PLAN = b"code,action,effective_on,new_parent_code\n375,dissolve,2025-07-01,37\n"
# Strings of this branch (English in /work/po-fragments/unitstime.po).
TEXT = {
    "vi": {"h1": "Sắp xếp đơn vị", "dissolve": "giải thể", "carried": "kèm 2 đơn vị trực thuộc",
           "reassign": "cần giao lại", "applied": "Đã áp dụng phương án."},
    "en": {"h1": "Reorganise units", "dissolve": "dissolved", "carried": "with 2 units below",
           "reassign": "to reassign", "applied": "The plan has been applied."},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_provincial_officer_applies_a_plan(browser, live_server, journey_world, lang, shoot):
    text = TEXT[lang]
    admin = UserFactory(full_name="Lê Văn Tỉnh", email="tinh@ninhbinh.vn")
    RoleAssignment.objects.create(user=admin, unit=journey_world["province"], role="unit_admin")
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    context.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
        sign_in(page, live_server.url, "tinh@ninhbinh.vn")
        page.goto(f"{live_server.url}/can-bo/don-vi/37/sap-xep/")
        assert page.locator("h1").inner_text() == text["h1"]
        page.set_input_files("input[type=file]", files=[{"name": "ninh-binh.csv", "mimeType": "text/csv",
                                                         "buffer": PLAN}])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

        changes = page.locator("[data-testid=plan-changes]").inner_text()
        assert text["dissolve"] in changes and "LĐLĐ huyện Yên Khánh" in changes and text["carried"] in changes
        follows = page.locator("[data-testid=plan-follows]").inner_text()
        assert "Phạm Thị Duyệt" in follows and text["reassign"] in follows
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert not UnitSuccession.objects.exists()
        shoot(page, f"reorganise-preview-{lang}")

        with page.expect_navigation():
            page.locator("[data-testid=apply-plan]").dblclick()

        assert text["applied"] in page.locator("main").inner_text()
        assert page.locator("[data-testid=plan-applied]").is_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert ReorganisationPlan.objects.get().status == PlanStatus.APPLIED
        assert UnitSuccession.objects.count() == 3  # once: the district and its two grassroots unions
        assert Unit.objects.as_of(None).filter(code="375").count() == 0
    finally:
        context.close()
    assert not problems, problems

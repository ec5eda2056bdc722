"""The dashboard's tree switch on a 390 px phone, in Vietnamese and English (issue 11).

After Yên Khánh's district federation is dissolved (its grassroots unions under the province from
1/7/2025), the programme's dashboard still lists the district; one tap regroups the same figures
on today's tree, one tap goes back.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sangkien.core.clock import local_datetime
from sangkien.programmes.models import Programme
from sangkien.units.reorganisation import PlanRow, apply_plan
from tests.browser.conftest import PHONE
from tests.factories import InitiativeFactory, PhaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
TEXT = {"vi": {"regroup": "Xếp lại theo cây đơn vị hiện nay", "back": "Xem theo cây đơn vị của chương trình"},
        "en": {"regroup": "Regroup on today's unit tree", "back": "View on the programme's own unit tree"}}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_dashboard_regroups_on_todays_tree(browser, live_server, journey_world, lang):
    text = TEXT[lang]
    programme = Programme.objects.create(slug="75-nghin-2021", name="75 nghìn sáng kiến",
                                         organiser=journey_world["root"], is_published=True)
    phase = PhaseFactory(programme=programme, number=1)
    for unit in ("school", "school", "factory"):
        InitiativeFactory(phase=phase, unit=journey_world[unit], submitted_at=local_datetime(2021, 3, 20, 9))
    apply_plan(rows=[PlanRow("375", "dissolve", dt.date(2025, 7, 1), new_parent_code="37")], actor=None)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/thong-ke/{programme.slug}/37/")
        table = page.locator("[data-testid=stats-table]").inner_text()
        assert "LĐLĐ huyện Yên Khánh" in table and "CĐCS Trường THCS Khánh Hội" not in table
        with page.expect_navigation():
            page.get_by_role("link", name=text["regroup"]).click()

        assert "cay=" in page.url
        table = page.locator("[data-testid=stats-table]").inner_text()
        assert "CĐCS Trường THCS Khánh Hội" in table and "LĐLĐ huyện Yên Khánh" not in table
        assert page.locator("[data-testid=total-submitted]").inner_text() == "3"
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        with page.expect_navigation():
            page.get_by_role("link", name=text["back"]).click()
        assert "cay=" not in page.url
        assert "LĐLĐ huyện Yên Khánh" in page.locator("[data-testid=stats-table]").inner_text()
    finally:
        context.close()

"""The member's initiative page shows the co-author as typed, never a stranger (issue 9 item 1), at 390 px.

"A, 0914 988 450" typed by the member, while "Đỗ Ngọc Phong · Công nhân ·
Văn phòng UBND tỉnh" of another province once gave that number: the page
shows "A", in Vietnamese and in English.  Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import pytest

from sangkien.initiatives.details import AuthorData, InitiativeDetails
from sangkien.initiatives.models import Person
from sangkien.initiatives.services import submit_initiative
from sangkien.units.models import UnitKind
from tests.browser.conftest import PHONE, sign_in
from tests.factories import InitiativeFactory, UserFactory, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = {"vi": ("tác giả", "đồng tác giả"), "en": ("author", "co-author")}
STRANGER = ("Đỗ Ngọc Phong", "Công nhân", "Văn phòng UBND tỉnh")
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def world(journey_world):
    """A stranger in another province holding the phone; the member's initiative naming "A" with it."""
    other = make_unit(journey_world["root"], code="24", name="LĐLĐ tỉnh Bắc Giang",
                      kind=UnitKind.PROVINCIAL_FEDERATION)
    stranger = Person.objects.create(full_name=STRANGER[0], job=STRANGER[1], workplace=STRANGER[2],
                                     phone="+84914988450")
    InitiativeFactory(phase=journey_world["phase"], unit=other, author=stranger)
    member = UserFactory(full_name="Nguyễn Thị Hoa", email="hoa@khanhhoi.vn")
    initiative, _created = submit_initiative(
        programme=journey_world["programme"], unit=journey_world["school"], unit_unlisted=False,
        details=InitiativeDetails(sector_block="public", title="Ứng dụng bản đồ tư duy trong dạy học môn Ngữ văn",
                                  description="<p>Giải pháp mới cho tiết học.</p>"),
        authors=[AuthorData(full_name="Nguyễn Thị Hoa", phone="+84912345678", job="Giáo viên",
                            workplace="Trường THCS Khánh Hội"),
                 AuthorData(full_name="A", phone="+84914988450")],
        actor=member,
    )
    return {**journey_world, "member": member, "initiative": initiative}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_member_sees_the_co_author_they_typed(world, browser, live_server, shoot, lang):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "hoa@khanhhoi.vn")
        page.goto(f"{live_server.url}/sang-kien/{world['initiative'].tracking_code}/")
        assert page.locator("html").get_attribute("lang") == lang
        authors = [" ".join(t.split()) for t in page.locator("[data-testid=author]").all_inner_texts()]
        main, co = LABEL[lang]
        assert authors[0].startswith(f"Nguyễn Thị Hoa ({main})") and "Giáo viên" in authors[0]
        assert authors[1].startswith(f"A ({co})") and "0914 988 450" in authors[1]
        text = page.locator("main").inner_text()
        for value in STRANGER:
            assert value not in text
        assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways at 390 px"
        shoot(page, f"member-coauthor-as-typed-{lang}")
    finally:
        context.close()

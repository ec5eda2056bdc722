"""A support-team member of a grassroots union on a phone (390 px), in Vietnamese and in English.

Sign in → officer home → "Nhập hộ" (entry on behalf) → a member's initiative,
typed in for them and saved with a double tap (one initiative) → the tracking
code to give the author → the initiative waits in the district reviewer's
queue; then the unit's QR poster, whose QR code carries the public link
(``SANGKIEN_PUBLIC_URL``).  Screenshots go to var/screenshots/support-<lang>-*.png.
"""

from __future__ import annotations

import io
import re

import pytest
import segno

from sangkien.initiatives.models import Initiative, SectorBlock, Status
from sangkien.roles.models import Role
from tests.browser.conftest import PHONE, SCREENSHOTS, sign_in, switch_language, type_description
from tests.factories import UserFactory, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
PUBLIC_URL = "https://sangkien.congdoan.vn"  # not the live server's address: the poster must not use the request's
AUTHOR = "Đinh Thị Lan"
AUTHOR_PHONE = "0977 123 456"  # stored as +84977123456
TITLE = "Bảng phân công trực nhật bằng mã QR"
#: What the pages say, per language: written out, so an untranslated page fails the English run.
TEXTS = {
    "vi": {"enter_link": "Nhập hộ", "enter_h1": "Nhập hộ sáng kiến", "save": "Lưu sáng kiến",
           "entered": "Đã nhập hộ sáng kiến. Mã theo dõi:", "entered_by": "Nhập hộ bởi",
           "poster_link": "In mã QR", "poster_h2": "Gửi sáng kiến của bạn", "qr_alt": "Mã QR gửi sáng kiến"},
    "en": {"enter_link": "Enter on behalf", "enter_h1": "Enter an initiative on someone's behalf",
           "save": "Save the initiative", "entered": "Initiative entered on the author's behalf. Tracking code:",
           "entered_by": "Entered on behalf by", "poster_link": "Print QR codes", "poster_h2": "Submit your initiative",
           "qr_alt": "QR code for submitting initiatives"},
}


def _expected_qr_svg(link: str) -> bytes:
    """The SVG a QR code of ``link`` is drawn as (the parameters of ``sangkien.units.views.qr``)."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, dark="#111", xmldecl=False)
    return out.getvalue()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_support_team_enters_an_initiative_and_prints_the_poster(journey_world, live_server, browser, settings,
                                                                 language):
    settings.SANGKIEN_PUBLIC_URL = PUBLIC_URL
    texts = TEXTS[language]
    base = live_server.url
    world = journey_world
    slug = world["programme"].slug
    school = world["school"]
    helper = UserFactory(full_name="Hoàng Văn Giúp", email="giup@khanhhoi.edu.vn")
    grant(helper, school, Role.SUPPORT_TEAM)
    enter_path = f"/can-bo/don-vi/{school.code}/nhap-ho/{slug}/"
    problems: list[str] = []
    posts: list[str] = []

    def shoot(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"support-{language}-{name}.png"), full_page=True,
                        animations="disabled")

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and enter_path in r.url else None)

    # 1. Sign in; the language from the header's switcher; the officer home offers "Nhập hộ".
    sign_in(page, base, helper.email)
    page.goto(f"{base}/can-bo/")
    switch_language(page, language)
    card = page.locator("article.officer-unit", has_text=school.name)
    assert card.count() == 1
    enter_link = card.locator(f"a[href='{enter_path}']")
    assert enter_link.inner_text().strip() == texts["enter_link"]
    shoot("01-officer-home")
    with page.expect_navigation():
        enter_link.click()

    # 2. The form: the member's name and phone, title, description (Trix), field, sector.
    assert page.locator("h1").inner_text().strip() == texts["enter_h1"]
    assert school.name in page.locator("hgroup").inner_text()
    page.wait_for_selector("trix-editor")
    page.fill("#id_author_full_name", AUTHOR)
    page.fill("#id_author_phone", AUTHOR_PHONE)
    page.check("input[name=sector_block][value=public]")
    page.select_option("#id_field", label="Giáo dục, đào tạo")
    page.fill("#id_title", TITLE)
    type_description(page, "Học sinh quét mã QR ở cửa lớp để xem lịch trực nhật trong tuần.")
    save = page.locator("form[enctype] button[type=submit]")
    assert save.inner_text().strip() == texts["save"]
    shoot("02-enter-form")

    # 3. A double tap on "Lưu sáng kiến" (the second tap once the first has gone out: chromium
    # itself merges two taps in one go): one request, one initiative, the code to give the author.
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request(lambda r: r.method == "POST" and enter_path in r.url):
        page.mouse.click(x, y)
    page.mouse.click(x, y)
    page.wait_for_selector("[data-testid=tracking-code]")
    assert len(posts) == 1, f"a double tap sent the form {len(posts)} times"
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert re.fullmatch(r"SK-[A-Z2-9]{8}", code), code
    message = page.locator(".messages").inner_text()
    assert texts["entered"] in message and code in message, message
    assert texts["entered_by"] in page.locator("main").inner_text()
    shoot("03-tracking-code")
    initiatives = list(Initiative.objects.select_related("unit", "entered_by"))
    assert len(initiatives) == 1
    initiative = initiatives[0]
    assert initiative.tracking_code == code
    assert initiative.unit == school and initiative.status == Status.SUBMITTED
    assert initiative.sector_block == SectorBlock.PUBLIC and initiative.field == world["fields"][0]
    author = initiative.authorships.get(position=0).person
    assert author.full_name == AUTHOR and author.phone == "+84977123456"
    assert initiative.entered_by == helper and initiative.entered_on_behalf
    assert "lịch trực nhật trong tuần" in initiative.description

    # 4. The QR poster of the unit: its name, the QR image and the public link it carries.
    page.goto(f"{base}/can-bo/")
    with page.expect_navigation():
        page.locator("article.officer-unit", has_text=school.name).locator(
            f"a[href='/can-bo/don-vi/{school.code}/poster/']", has_text=texts["poster_link"]).click()
    assert page.locator("h1.poster-unit").inner_text().strip() == school.name
    assert page.locator(".poster h2").inner_text().strip() == texts["poster_h2"]
    link = f"{PUBLIC_URL}/dv/{school.code}/"
    assert page.locator(".poster-link").inner_text().strip() == link
    image = page.locator(".poster img")
    assert image.get_attribute("alt") == texts["qr_alt"]
    page.wait_for_function("() => { const i = document.querySelector('.poster img'); "
                           "return i.complete && i.naturalWidth > 0; }")
    svg = page.request.get(base + image.get_attribute("src"))
    assert svg.status == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.body() == _expected_qr_svg(link), "the QR code does not carry the public link"
    shoot("04-qr-poster")

    # 5. The district reviewer finds it waiting in the queue, marked as entered on behalf.
    with page.expect_navigation():
        page.locator("header form[action*='/tai-khoan/logout/'] button[type=submit]").click()
    sign_in(page, base, world["reviewer"].email)
    page.goto(f"{base}/can-bo/xet-duyet/{slug}/?don-vi={world['district'].code}")
    assert page.locator("html").get_attribute("lang") == language
    item = page.locator("article.queue-item", has_text=TITLE)
    assert item.count() == 1
    assert item.locator("button[name=decision][value=approved]").count() == 1
    shoot("05-reviewer-queue")

    context.close()
    assert problems == []

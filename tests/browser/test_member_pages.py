"""Member pages on a 390 px phone, in Vietnamese and English (issue 8 items 7, 8, 11).

A closed programme, the QR landing page, an unknown unit link, a file kept
across a failed form, a returned initiative that gets a new photo, and the
dashboards with no number broken and no sideways scrolling.  Screenshots go
to var/screenshots/ (look at them; they are not committed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sangkien.core.clock import end_of_day, local_now
from sangkien.initiatives.models import Attachment, Initiative, Status
from sangkien.programmes.models import Phase
from tests.browser.conftest import PHONE, SCREENSHOTS, sign_in, type_description
from tests.factories import InitiativeFactory, ProgrammeFactory, UserFactory
from tests.uploads import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
LANGUAGES = ["vi", "en"]
# Only strings this branch added (their English is in its PO fragment); shared
# strings are checked by structure (test ids, links), not by wording.
TEXT = {
    "vi": {
        "closed_at": "đã đóng nhận sáng kiến lúc 24h ngày",
        "newcomer": "Lần đầu gửi sáng kiến?",
        "held": "vẫn được giữ, không cần chọn lại",
        "rules": "PDF, Word, Excel, JPG, PNG — tối đa 10 MB mỗi tệp, 5 tệp",
        "not_found": "Không có đơn vị nào với mã “NOPE”",
    },
    "en": {
        "closed_at": "stopped taking initiatives at 24:00 on",
        "newcomer": "First time sending an initiative?",
        "held": "still kept; no need to choose",
        "rules": "PDF, Word, Excel, JPG, PNG — up to 10 MB per file, 5 files",
        "not_found": "There is no unit with the code “NOPE”",
    },
}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# An inline element that wraps has more than one client rectangle.
BROKEN = "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)"


@pytest.fixture
def world(journey_world):
    """The journey's open programme, plus a closed one with three initiatives."""
    closed = ProgrammeFactory(slug="75-nghin-2021", name="75 nghìn sáng kiến, vượt khó, phát triển",
                              organiser=journey_world["root"])
    ended_on = local_now().date() - dt.timedelta(days=3)
    phase = Phase.objects.create(programme=closed, number=1, submission_end=end_of_day(ended_on),
                                 submission_start=end_of_day(ended_on) - dt.timedelta(days=40))
    for unit, status in ((journey_world["school"], Status.APPROVED), (journey_world["school"], Status.SUBMITTED),
                         (journey_world["factory"], Status.SUBMITTED)):
        InitiativeFactory(phase=phase, unit=unit, status=status)
    member = UserFactory(full_name="Nguyễn Thị Hoa", email="hoa@khanhhoi.vn")
    return {**journey_world, "closed": closed, "ended_on": ended_on, "member": member}


@pytest.fixture
def phone(browser, live_server):
    """``phone(lang)``: a new 390 px page in that language (the language cookie)."""
    contexts, problems = [], []

    def _open(lang: str):
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                      locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert problems == []


def fits_the_phone(page) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways at 390 px"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_closed_programme_says_so_with_when_and_counts(world, live_server, phone, shoot, lang):
    page = phone(lang)
    page.goto(f"{live_server.url}/chuong-trinh/75-nghin-2021/gui-sang-kien/")
    notice = page.locator("[data-testid=closed-notice]").inner_text()
    assert TEXT[lang]["closed_at"] in notice and world["ended_on"].strftime("%d/%m/%Y") in notice
    assert page.locator("[data-testid=closed-submitted]").inner_text() == "3"
    assert page.locator("[data-testid=closed-approved]").inner_text() == "1"
    assert page.locator("form.submission-form").count() == 0
    assert page.locator("main button[type=submit]").count() == 0
    fits_the_phone(page)
    shoot(page, f"member-closed-programme-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_qr_landing_names_unit_and_programme_and_leads_with_sign_up(world, live_server, phone, shoot, lang):
    page = phone(lang)
    page.goto(f"{live_server.url}/dv/375-0001/")
    assert page.locator("[data-testid=unit-name]").inner_text() == "CĐCS Trường THCS Khánh Hội"
    main = page.locator("main").inner_text()
    assert world["programme"].name in main and "LĐLĐ huyện Yên Khánh" in main
    signup, login = page.locator("[data-testid=signup]"), page.locator("[data-testid=login]")
    assert TEXT[lang]["newcomer"] in main
    if lang == "vi":
        assert signup.inner_text().strip() == "Đăng ký" and login.inner_text().strip() == "Đăng nhập"
    assert signup.bounding_box()["y"] <= login.bounding_box()["y"]
    assert signup.bounding_box()["x"] < login.bounding_box()["x"] or signup.bounding_box()["y"] < login.bounding_box()["y"]
    assert "outline" not in (signup.get_attribute("class") or "")  # the main button
    fits_the_phone(page)
    shoot(page, f"member-qr-landing-{lang}")
    signup.click()
    page.wait_for_url("**/tai-khoan/signup/**")
    next_url = parse_qs(urlsplit(page.url).query)["next"][0]
    assert next_url == "/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_unit_link_is_our_404_with_a_way_back(world, live_server, phone, shoot, lang):
    page = phone(lang)
    response = page.goto(f"{live_server.url}/dv/NOPE/")
    assert response.status == 404
    assert TEXT[lang]["not_found"] in page.locator("[data-testid=not-found-message]").inner_text()
    shoot(page, f"member-unknown-unit-{lang}")
    with page.expect_navigation():
        page.locator("main ul.way-back a[href='/']").click()
    assert urlsplit(page.url).path == "/"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_chosen_file_survives_a_failed_form_and_is_attached(world, live_server, phone, shoot, lang):
    base = live_server.url
    page = phone(lang)
    sign_in(page, base, "hoa@khanhhoi.vn")
    page.goto(f"{base}/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001")
    page.wait_for_selector("trix-editor")
    assert TEXT[lang]["rules"] in page.locator("[data-testid=file-rules]").inner_text()
    page.fill("#id_author_phone", "0912 345 678")
    page.check("input[name=sector_block][value=enterprise]")
    page.fill("#id_title", "Mài dao máy cắt theo lịch")
    type_description(page, "Dao được mài mỗi tuần.")
    page.fill("#id_benefit_vnd", "khoảng chừng")  # not an amount: the form comes back
    page.set_input_files("#id_attachments", files=[
        {"name": "anh-may-cat.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}])
    with page.expect_navigation():
        page.locator("form.submission-form button[type=submit]").last.click()
    assert page.locator(".field-benefit_vnd small.error").count() == 1
    assert TEXT[lang]["held"] in page.locator("[data-testid=held-note]").inner_text()
    assert "anh-may-cat.jpg" in page.locator("[data-testid=held-files]").inner_text()
    assert page.locator("#id_title").input_value() == "Mài dao máy cắt theo lịch"
    fits_the_phone(page)
    shoot(page, f"member-held-file-{lang}")
    page.locator("[data-testid=attachments]").screenshot(path=str(SCREENSHOTS / f"member-held-file-field-{lang}.png"))
    page.fill("#id_benefit_vnd", "9.152.000.000")
    with page.expect_navigation():
        page.locator("form.submission-form button[type=submit]").last.click()
    initiative = Initiative.objects.get(title="Mài dao máy cắt theo lịch")
    assert [a.original_name for a in initiative.attachments.all()] == ["anh-may-cat.jpg"]
    assert "anh-may-cat.jpg" in page.locator("main").inner_text()
    money = page.locator(".money")
    assert money.count() >= 1 and page.evaluate(f"({BROKEN})([...document.querySelectorAll('.money')])") == []
    shoot(page, f"member-held-file-attached-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_returned_initiative_gets_a_new_photo(world, live_server, phone, shoot, lang):
    base = live_server.url
    member = world["member"]
    initiative = InitiativeFactory(phase=world["phase"], unit=world["school"], submitted_by=member,
                                   entered_by=member, status=Status.RETURNED,
                                   status_reason="Cần ảnh chụp máy sau cải tiến")
    page = phone(lang)
    sign_in(page, base, "hoa@khanhhoi.vn")
    page.goto(f"{base}/sang-kien/{initiative.tracking_code}/")
    with page.expect_navigation():
        page.locator(f"a[href='/sang-kien/{initiative.tracking_code}/sua/']").click()
    page.wait_for_selector("trix-editor")
    assert TEXT[lang]["rules"] in page.locator("[data-testid=file-rules]").inner_text()
    page.set_input_files("#id_attachments", files=[
        {"name": "may-sau-cai-tien.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}])
    fits_the_phone(page)
    shoot(page, f"member-returned-add-photo-{lang}")
    page.locator("[data-testid=attachments]").screenshot(path=str(SCREENSHOTS / f"member-returned-field-{lang}.png"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    assert urlsplit(page.url).path == f"/sang-kien/{initiative.tracking_code}/"
    assert "may-sau-cai-tien.png" in page.locator("main").inner_text()
    item = Attachment.objects.get(initiative=initiative)
    assert item.original_name == "may-sau-cai-tien.png"
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED
    shoot(page, f"member-returned-sent-back-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dashboards_on_a_phone_break_no_number(world, live_server, phone, shoot, lang):
    InitiativeFactory(phase=world["phase"], unit=world["factory"], benefit_vnd=9_152_000_000)
    ProgrammeFactory(slug="9000-sang-kien", name="9.000 sáng kiến", organiser=world["root"])  # nothing yet
    page = phone(lang)
    base = live_server.url
    page.goto(f"{base}/")
    assert page.evaluate(f"({BROKEN})([...document.querySelectorAll('.site-header a')])") == []
    cards = page.locator("article.programme-card")
    assert cards.count() == 3
    empty = cards.filter(has_text="9.000 sáng kiến")
    assert empty.locator("h3").count() == 0 and empty.locator("ol.top").count() == 0  # no "Dẫn đầu" over nothing
    assert cards.filter(has_text="01 triệu sáng kiến").locator("ol.top li").count() == 1
    fits_the_phone(page)
    shoot(page, f"member-home-{lang}")

    page.goto(f"{base}/thong-ke/01-trieu-sang-kien/375/")
    money = page.locator(".figures .money")
    assert money.count() == 1 and page.evaluate(f"({BROKEN})([...document.querySelectorAll('.money')])") == []
    ranks = {page.locator("[data-testid=stats-table] tbody tr").nth(i).locator("td").nth(1).inner_text().strip():
             page.locator("[data-testid=stats-table] tbody tr").nth(i).locator("[data-testid=rank]").inner_text().strip()
             for i in range(page.locator("[data-testid=stats-table] tbody tr").count())}
    assert ranks["CĐCS Công ty May Yên Khánh"] == "1"
    assert ranks["CĐCS Trường THCS Khánh Hội"] == "—"  # nothing sent: no rank
    fits_the_phone(page)
    shoot(page, f"member-dashboard-{lang}")


WORD_CLIPBOARD = (Path(__file__).resolve().parents[1] / "core" / "data" / "word_clipboard.html").read_text(encoding="utf-8")
PASTE = """(html) => {
  const editor = document.querySelector('trix-editor');
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', 'Thực trạng');
  editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_word_table_pasted_into_the_description_is_kept(world, live_server, phone, shoot, lang):
    base = live_server.url
    page = phone(lang)
    sign_in(page, base, "hoa@khanhhoi.vn")
    page.goto(f"{base}/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001")
    page.wait_for_selector("trix-editor")
    page.fill("#id_author_phone", "0912 345 678")
    page.check("input[name=sector_block][value=enterprise]")
    page.fill("#id_title", "Mài dao máy cắt theo lịch")
    type_description(page, "Giới thiệu chung.")
    page.evaluate(PASTE, WORD_CLIPBOARD)
    box = page.locator("[data-testid=description-fallback]")
    assert box.is_visible() and not page.locator("trix-editor").is_visible()
    assert box.locator("table td").count() == 5 and page.locator("[data-table-note]").is_visible()
    assert "Giới thiệu chung." in box.inner_text()  # what was typed before the paste stays
    fits_the_phone(page)
    shoot(page, f"member-word-table-paste-{lang}")
    with page.expect_navigation():
        page.locator("form.submission-form button[type=submit]").last.click()
    initiative = Initiative.objects.get(title="Mài dao máy cắt theo lịch")
    assert "Giới thiệu chung." in initiative.description
    assert '<td colspan="2">' in initiative.description
    assert "<ul><li>Mài dao theo lịch mỗi tuần<ul><li>Tổ trưởng ghi sổ</li></ul></li>" in initiative.description
    assert "<ol><li>Khảo sát máy</li><li>Lập lịch mài dao</li></ol>" in initiative.description
    assert page.locator("main .description table tr").count() == 2
    assert page.locator("main .description ul ul li").inner_text() == "Tổ trưởng ghi sổ"
    assert page.locator("main .nowrap", has_text="0912 345 678").count() == 1  # the author's phone, in one piece
    assert page.evaluate(f"({BROKEN})([...document.querySelectorAll('main .nowrap')])") == []
    fits_the_phone(page)
    shoot(page, f"member-word-table-detail-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_returned_description_with_a_table_is_not_flattened(world, live_server, phone, shoot, lang):
    from sangkien.core.sanitise import clean_description

    base = live_server.url
    member = world["member"]
    initiative = InitiativeFactory(phase=world["phase"], unit=world["school"], submitted_by=member,
                                   entered_by=member, status=Status.RETURNED, status_reason="Bổ sung số liệu",
                                   description=clean_description(WORD_CLIPBOARD))
    page = phone(lang)
    sign_in(page, base, "hoa@khanhhoi.vn")
    page.goto(f"{base}/sang-kien/{initiative.tracking_code}/sua/")
    box = page.locator("[data-testid=description-fallback]")
    box.wait_for()
    assert box.locator("table td").count() == 5 and not page.locator("trix-editor").is_visible()
    box.locator("ol li").last.click()
    page.keyboard.press("End")
    page.keyboard.type(" (mỗi quý)")
    fits_the_phone(page)
    shoot(page, f"member-returned-table-{lang}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED
    assert '<td colspan="2">' in initiative.description and "Lập lịch mài dao (mỗi quý)" in initiative.description

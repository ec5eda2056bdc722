"""In a real browser: typing title and description makes the similar-initiatives
panel appear under the form (htmx + Trix), without blocking the submission."""

import pytest

from sangkien.duplicates.services import index_initiative
from tests.browser.conftest import (  # noqa: F401 — fixtures
    PASSWORD,
    PHONE,
    _allow_orm_beside_playwright,
    _end_live_server_sessions,
    browser,
    journey_world,
    shoot,
    sign_in,
    switch_language,
)
from tests.duplicates.texts import DYEING_SENTENCES, DYEING_TITLE, PARAPHRASE_TITLE, dyeing_text
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.browser


def test_the_panel_appears_while_typing(live_server, browser, journey_world):  # noqa: F811
    world = journey_world
    original = InitiativeFactory(phase=world["phase"], unit=world["factory"], title=DYEING_TITLE,
                                 description=dyeing_text())
    index_initiative(original)
    member = UserFactory(email="cong-nhan@example.vn")
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action*='/tai-khoan/login/'] button[type=submit]").click()
    page.goto(f"{live_server.url}/chuong-trinh/{world['programme'].slug}/gui-sang-kien/")
    page.wait_for_selector("trix-editor")
    assert "Khi bạn đã nhập tên và mô tả" in page.locator("#similar-panel").inner_text()
    page.fill("#id_title", PARAPHRASE_TITLE)
    page.click("trix-editor")
    page.keyboard.type(" ".join(DYEING_SENTENCES[2:6]))
    page.wait_for_selector("[data-testid=similar-list]", timeout=10_000)
    panel = page.locator("#similar-panel").inner_text()
    assert DYEING_TITLE in panel and "CĐCS Công ty May Yên Khánh" in panel and "giống" in panel
    page.screenshot(path="/tmp/dup-submit-panel.png", full_page=True)
    assert page.locator("form.submission-form button[type=submit]").is_enabled()


#: The panel's words, per language (written out: an untranslated panel fails the English run).
PANEL_TEXTS = {
    "vi": {"hint": "Khi bạn đã nhập tên và mô tả", "list": "Sáng kiến tương tự đã có trong chương trình",
           "alike": "giống"},
    "en": {"hint": "Once you have entered the title and the description", "list": "Similar initiatives already in",
           "alike": "similar"},
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_panel_asks_the_server_only_once_there_is_enough_to_compare(
        live_server, browser, journey_world, shoot, language):  # noqa: F811
    """A short title alone sends nothing (the server could only answer the hint the panel shows);
    the description makes the panel ask, and once a list is shown every change is sent (issue 12)."""
    world, texts = journey_world, PANEL_TEXTS[language]
    original = InitiativeFactory(phase=world["phase"], unit=world["factory"], title=DYEING_TITLE,
                                 description=dyeing_text())
    index_initiative(original)
    member = UserFactory(email=f"cong-nhan-{language}@example.vn")
    page = browser.new_page(viewport=PHONE)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.post_data or "") if "/sang-kien-tuong-tu/" in r.url else None)
    sign_in(page, live_server.url, member.email)
    switch_language(page, language)
    page.goto(f"{live_server.url}/chuong-trinh/{world['programme'].slug}/gui-sang-kien/")
    page.wait_for_selector("trix-editor")
    panel = page.locator("#similar-panel")
    assert panel.get_attribute("data-min-words") == "12"
    page.locator("#id_title").press_sequentially("Lắp vòi thổi khí nén trên máy dệt kim")  # 9 words: too few
    page.press("#id_title", "Tab")  # "change": the title is left
    page.wait_for_timeout(1_800)  # past the 1 s keyup delay
    assert asked == [], asked
    assert texts["hint"] in panel.inner_text()
    page.click("trix-editor")
    page.keyboard.type(" ".join(DYEING_SENTENCES[2:6]))
    page.wait_for_selector("[data-testid=similar-list]", timeout=10_000)
    assert asked, "the description made the panel ask"
    assert texts["list"] in panel.inner_text() and DYEING_TITLE in panel.inner_text()
    assert texts["alike"] in panel.inner_text()
    shoot(page, f"dup-panel-asks-when-enough-{language}")
    sent = len(asked)
    page.click("trix-editor")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")  # a list is shown: emptying the description is sent, and the hint is back
    page.wait_for_selector(".similar-hint", timeout=10_000)
    assert len(asked) > sent
    assert texts["hint"] in panel.inner_text()


def test_the_reviewer_sees_likely_duplicates_in_the_queue_and_marks_one(live_server, browser, journey_world):  # noqa: F811
    from tests.duplicates.texts import KINDS

    world = journey_world
    original = InitiativeFactory(phase=world["phase"], unit=world["factory"], title=DYEING_TITLE,
                                 description=dyeing_text())
    title, text = KINDS["paraphrase"]
    copy = InitiativeFactory(phase=world["phase"], unit=world["school"], title=title, description=text)
    for initiative in (original, copy):
        index_initiative(initiative)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.fill("input[name=login]", world["reviewer"].email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation(timeout=90_000):
        page.locator("form[action*='/tai-khoan/login/'] button[type=submit]").click()
    page.goto(f"{live_server.url}/can-bo/xet-duyet/{world['programme'].slug}/?don-vi=375")
    # the queue loads a card's likely duplicates when the card scrolls into view
    page.locator("article.queue-item", has=page.locator("h3", has_text=title)).scroll_into_view_if_needed()
    page.wait_for_selector(f"#trung-{copy.tracking_code} li")
    assert DYEING_TITLE in page.locator(f"#trung-{copy.tracking_code}").inner_text()
    card = page.locator(f"#trung-{copy.tracking_code}")
    card.locator("summary").click()
    card.locator("input[name=reason]").fill("Cùng giải pháp vòi thổi khí nén")
    with page.expect_navigation(timeout=90_000):
        card.locator("button[type=submit]").click()
    page.wait_for_selector(".message-success", timeout=90_000)
    page.screenshot(path="/tmp/dup-review-queue.png", full_page=True)
    copy.refresh_from_db()
    assert copy.duplicate_of == original

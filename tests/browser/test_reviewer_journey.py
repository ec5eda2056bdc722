"""A district reviewer's day on a phone (390 px), in Vietnamese and in English.

Officer home → the queue's waiting tab → filter by grassroots union and
benefit → open an initiative → return it with a reason (the missing reason
first: the error names the initiative) → approve another from its page →
bulk-approve the rest with the confirmation step → set targets → the
dashboard shows them.  Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import pytest

from sangkien.core.clock import now
from sangkien.initiatives.models import Initiative, Status
from sangkien.programmes.models import Target
from sangkien.roles.models import Role
from tests.browser.conftest import PHONE, SCREENSHOTS, sign_in
from tests.factories import InitiativeFactory, PersonFactory, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def _shoot(page, language: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reviewer-{language}-{name}.png"), full_page=True,
                    animations="disabled")


def _seed(world) -> dict[str, Initiative]:
    """Five initiatives of Yên Khánh: four waiting, one already approved."""
    edu, made = world["fields"]
    school, factory = world["school"], world["factory"]
    at = now()

    def make(unit, title, field, benefit, author, **extra):
        return InitiativeFactory(phase=world["phase"], unit=unit, title=title, field=field, benefit_vnd=benefit,
                                 submitted_at=at, author=PersonFactory(full_name=author), **extra)

    return {
        "book": make(school, "Sổ tay điện tử bài tập về nhà", edu, 1_500_000, "Nguyễn Thị Hoa"),
        "jig": make(factory, "Đồ gá thay khuôn nhanh cho máy may", made, 150_000_000, "Phạm Văn Công"),
        "steam": make(factory, "Thu hồi hơi nóng máy là", made, 40_000_000, "Lê Văn Tám"),
        "light": make(factory, "Đèn LED cho chuyền may số 3", made, 12_000_000, "Trần Thị Sáu"),
        "done": make(school, "Lịch trực điện tử", edu, None, "Vũ Văn Bảy", status=Status.APPROVED),
    }


def _count(page, testid: str) -> str:
    return page.locator(f"[data-testid={testid}] .count").inner_text().strip()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_reviewer_journey(journey_world, live_server, browser, language):
    base = live_server.url
    world = journey_world
    slug = world["programme"].slug
    reviewer = world["reviewer"]
    grant(reviewer, world["district"], Role.UNIT_ADMIN)
    items = _seed(world)
    problems: list[str] = []

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)

    # 1. Sign in; switch the language with the header's switcher (POST /i18n/setlang/).
    sign_in(page, base, reviewer.email)
    page.goto(f"{base}/can-bo/")
    if language == "en":
        with page.expect_navigation():
            page.locator("header button[name=language][value=en]").click()
    assert page.locator("html").get_attribute("lang") == language

    # 2. Officer home: one line per programme; the waiting figure leads to the queue.
    line = page.locator("[data-testid=programme-line]", has_text=world["programme"].name)
    assert line.count() == 1
    assert line.locator("[data-testid=waiting]").inner_text().strip() == "4"
    _shoot(page, language, "01-officer-home")
    with page.expect_navigation():
        line.locator("[data-testid=waiting]").click()
    assert f"/can-bo/xet-duyet/{slug}/" in page.url
    assert _count(page, "tab-submitted") == "4" and _count(page, "tab-approved") == "1"
    assert page.locator("article.queue-item").count() == 4
    assert page.locator(".duplicate-hint").count() == 0
    _shoot(page, language, "02-queue")

    # 3. Filter: the garment factory, benefit from 20 million ("20 triệu"), highest first.
    page.locator(".queue-filters summary").click()
    page.select_option("select[name=don-vi]", value=world["factory"].code)
    page.fill("input[name=loi-tu]", "20 triệu")
    page.select_option("select[name=sap-xep]", value="loi-nhieu")
    with page.expect_navigation():
        page.locator(".filter-actions button[type=submit]").click()
    titles = page.locator("article.queue-item h3").all_inner_texts()
    assert [t.strip() for t in titles] == [items["jig"].title, items["steam"].title]
    assert _count(page, "tab-submitted") == "2"
    assert page.locator("input[name=loi-tu]").input_value() == "20 triệu"
    _shoot(page, language, "03-queue-filtered")

    # 4. Open one; returning it without a reason is refused, naming it; with a reason it goes back.
    with page.expect_navigation():
        page.locator("article.queue-item h3 a", has_text=items["steam"].title).click()
    radios = page.locator(".review-box input[type=radio][name=decision]")
    assert radios.count() == 3
    page.check(f".review-box input[name=decision][value={Status.RETURNED}]")
    _shoot(page, language, "04-initiative-review-form")
    with page.expect_navigation():
        page.locator(".review-box button[type=submit]").click()
    message = page.locator(".messages").inner_text()
    assert items["steam"].tracking_code in message and items["steam"].title in message
    if language == "vi":
        assert "Hãy ghi lý do" in message
    page.check(f".review-box input[name=decision][value={Status.RETURNED}]")
    page.fill(".review-box textarea[name=reason]", "Bổ sung số liệu tiết kiệm điện")
    with page.expect_navigation():
        page.locator(".review-box button[type=submit]").click()
    items["steam"].refresh_from_db()
    assert (items["steam"].status, items["steam"].status_reason) == (Status.RETURNED,
                                                                     "Bổ sung số liệu tiết kiệm điện")
    # a returned initiative offers only the decisions that still apply
    assert page.locator(".review-box input[name=decision]").count() == 2
    _shoot(page, language, "05-initiative-returned")

    # 5. Bulk: tick the three still waiting, approve, confirm.
    page.goto(f"{base}/can-bo/xet-duyet/{slug}/")
    assert page.locator("article.queue-item").count() == 3
    for key in ("book", "jig", "light"):
        page.locator("article.queue-item", has_text=items[key].title).locator("input[name=ma]").check()
    page.select_option("#bulk-form select[name=decision]", value=Status.APPROVED)
    _shoot(page, language, "06-bulk-selected")
    with page.expect_navigation():
        page.locator("#bulk-form button[type=submit]").click()
    confirm = page.locator("[data-testid=bulk-accepted]").inner_text()
    assert all(items[k].tracking_code in confirm for k in ("book", "jig", "light"))
    assert Initiative.objects.filter(status=Status.APPROVED).count() == 1
    _shoot(page, language, "07-bulk-confirm")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert f"/can-bo/xet-duyet/{slug}/" in page.url
    assert Initiative.objects.filter(status=Status.APPROVED).count() == 4
    assert page.locator("article.queue-item").count() == 0
    assert page.locator("article.queue-item button[name=decision]").count() == 0
    _shoot(page, language, "08-bulk-done")
    page.goto(f"{base}/can-bo/xet-duyet/{slug}/?trang-thai=approved")
    assert page.locator("article.queue-item").count() == 4
    assert page.locator("article.queue-item button[name=decision], article.queue-item input[name=ma]").count() == 0

    # 6. Targets of the district's unions, typed as people write them; the dashboard shows them.
    page.goto(f"{base}/can-bo/")
    with page.expect_navigation():
        page.locator(f"a[href='/can-bo/don-vi/375/chi-tieu/{slug}/']").first.click()
    page.fill(f"input[aria-label='{world['school'].name}']", "12")
    page.fill(f"input[aria-label='{world['factory'].name}']", "1.500")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(f"input[aria-label='{world['factory'].name}']").input_value() == "1500"
    assert dict(Target.objects.values_list("unit__code", "value")) == {"375-0001": 12, "375-0002": 1500}
    _shoot(page, language, "09-targets")
    page.goto(f"{base}/thong-ke/{slug}/375/")
    row = page.locator("[data-testid=stats-table] tbody tr", has_text=world["factory"].name)
    assert row.locator("td").nth(5).inner_text().strip() == ("1.500" if language == "vi" else "1,500")
    school_row = page.locator("[data-testid=stats-table] tbody tr", has_text=world["school"].name)
    assert school_row.locator("td").nth(5).inner_text().strip() == "12"
    _shoot(page, language, "10-dashboard-targets")

    context.close()
    assert problems == []


def test_queue_hints_only_at_likely_duplicates(journey_world, live_server, browser):
    from sangkien.duplicates.services import index_initiative
    from tests.duplicates.texts import DYEING_TITLE, PARAPHRASE, PARAPHRASE_TITLE, dyeing_text

    world = journey_world
    at = now()
    original = InitiativeFactory(phase=world["phase"], unit=world["factory"], title=DYEING_TITLE,
                                 description=dyeing_text(), submitted_at=at)
    copy = InitiativeFactory(phase=world["phase"], unit=world["school"], title=PARAPHRASE_TITLE,
                             description=PARAPHRASE, submitted_at=at)
    alone = InitiativeFactory(phase=world["phase"], unit=world["school"], title="Lịch trực điện tử cho tổ bảo vệ",
                              description="<p>Phần mềm xếp lịch trực ca đêm cho tổ bảo vệ nhà máy.</p>",
                              submitted_at=at)
    for initiative in (original, copy, alone):
        index_initiative(initiative)
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, live_server.url, world["reviewer"].email)
    page.goto(f"{live_server.url}/can-bo/xet-duyet/{world['programme'].slug}/")
    for initiative in (original, copy):
        card = page.locator("article.queue-item", has=page.locator("h3", has_text=initiative.title))
        card.scroll_into_view_if_needed()  # the probe loads when revealed
        card.locator(".duplicate-hint").wait_for()
        assert card.locator(".duplicate-probe").count() == 0
    lone = page.locator("article.queue-item", has=page.locator("h3", has_text=alone.title))
    lone.scroll_into_view_if_needed()
    lone.locator(".duplicate-probe").wait_for(state="detached")
    assert lone.locator(".duplicate-hint, .duplicate-matches").count() == 0
    assert "có thể trùng" not in lone.inner_text().lower()
    _shoot(page, "vi", "11-queue-duplicate-hints")
    with page.expect_navigation():
        page.locator("article.queue-item", has=page.locator("h3", has_text=copy.title)).locator(
            ".duplicate-hint a").click()
    assert original.title in page.locator("main").inner_text()
    context.close()

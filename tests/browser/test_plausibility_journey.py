"""On a phone (issue 9 item 8): a support-team member of a 40-member grassroots union uploads
60 rows; the job page says the import is held, why, and who confirms it — the uploader has no
confirm button; the district reviewer finds it on their officer page and confirms it; both
then see it saved.  In Vietnamese and in English (the header's switcher).

Screenshots: var/screenshots/hold-*.png (English: hold-*-en.png).
"""

from __future__ import annotations

import pytest

from sangkien.imports.models import ImportJob, JobStatus
from sangkien.initiatives.models import Initiative
from sangkien.roles.models import Role
from tests.browser.conftest import PHONE, sign_in, switch_language
from tests.factories import UserFactory, grant
from tests.imports.conftest import csv_file, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
ROWS = 60
TEXTS = {
    "vi": {"held": "Chờ cấp trên xác nhận", "reason": "60 người tham gia, đơn vị có 40 đoàn viên",
           "who": "LĐLĐ huyện Yên Khánh", "confirm": "Xác nhận, lưu 60 sáng kiến", "saved": "Đã lưu",
           "confirmed": "đã được cán bộ cấp trên Phạm Thị Duyệt xác nhận", "list": "Lần nhập chờ bạn xác nhận"},
    "en": {"held": "Awaiting confirmation by the level above", "reason": "60 participants, the unit has 40 members",
           "who": "LĐLĐ huyện Yên Khánh", "confirm": "Confirm and save 60 initiatives", "saved": "Saved",
           "confirmed": "was confirmed by Phạm Thị Duyệt", "list": "Imports awaiting your confirmation"},
}


def _context(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_held_import_is_confirmed_by_the_level_above_on_a_phone(live_server, browser, shoot, journey_world,
                                                                  settings, tmp_path, language):
    texts = TEXTS[language]
    suffix = "" if language == "vi" else f"-{language}"
    settings.MEDIA_ROOT = tmp_path / "media"
    uploader = UserFactory(full_name="Lê Văn Hỗ Trợ", email="hotro@khanhhoi.vn")
    grant(uploader, journey_world["school"], Role.SUPPORT_TEAM)
    school = "CĐCS Trường THCS Khánh Hội (375-0001)"
    data = tmp_path / "danh-sach.csv"
    data.write_bytes(csv_file([row(unit=school, applied_from="") for _ in range(ROWS)]))
    slug = journey_world["programme"].slug
    base = live_server.url
    problems: list[str] = []

    def watch(page):
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)

    # 1. The uploader uploads 60 rows for a union of 40 members: held, nothing saved.
    upload_context = _context(browser)
    page = upload_context.new_page()
    watch(page)
    sign_in(page, base, uploader.email)
    page.goto(f"{base}/can-bo/don-vi/375-0001/nhap-excel/{slug}/")
    switch_language(page, language)
    page.set_input_files("input[name=file]", str(data))
    with page.expect_navigation():
        page.locator("form.upload-form button[type=submit]").click()
    assert page.locator("[data-testid=job-status]").inner_text().strip() == texts["held"]
    held = page.locator("[data-testid=held]").inner_text()
    assert texts["reason"] in held and texts["who"] in held, held
    assert page.locator("[data-testid=confirm-hold]").count() == 0  # not for the uploader
    assert page.locator("[data-testid=save-all]").count() == 0
    assert _fits(page)
    shoot(page, f"hold-01-held-for-uploader{suffix}")
    job = ImportJob.objects.get()
    assert job.status == JobStatus.HELD and Initiative.objects.count() == 0

    # 2. The district reviewer finds it on their officer page and confirms it.
    review_context = _context(browser)
    officer = review_context.new_page()
    watch(officer)
    sign_in(officer, base, journey_world["reviewer"].email)
    officer.goto(f"{base}/can-bo/")
    switch_language(officer, language)
    listed = officer.locator("[data-testid=held-imports]")
    assert texts["list"] in listed.inner_text() and texts["reason"] in listed.inner_text()
    assert _fits(officer)
    shoot(officer, f"hold-02-officer-home{suffix}")
    with officer.expect_navigation():
        officer.locator("[data-testid=held-import]").first.click()
    assert texts["reason"] in officer.locator("[data-testid=held]").inner_text()
    button = officer.locator("[data-testid=confirm-hold]")
    assert button.inner_text().strip() == texts["confirm"]
    assert _fits(officer)
    shoot(officer, f"hold-03-confirm{suffix}")
    with officer.expect_navigation():
        button.click()
    assert officer.locator("[data-testid=job-status]").inner_text().strip() == texts["saved"]
    assert texts["confirmed"] in officer.locator("[data-testid=hold-confirmed]").inner_text()
    shoot(officer, f"hold-04-confirmed{suffix}")
    job.refresh_from_db()
    assert job.status == JobStatus.SAVED and job.rows_saved == ROWS
    assert Initiative.objects.filter(unit=journey_world["school"], entered_by=uploader).count() == ROWS

    # 3. The uploader sees it saved, and by whom it was confirmed.
    page.reload()
    assert page.locator("[data-testid=job-status]").inner_text().strip() == texts["saved"]
    assert texts["confirmed"] in page.locator("[data-testid=hold-confirmed]").inner_text()

    upload_context.close()
    review_context.close()
    assert problems == []

"""On a phone: an officer downloads the template, fills it, uploads it with one bad
row, reads the preview, saves the valid rows, gets the result file back, then
downloads the export; in Vietnamese and in English (the header's switcher).

Drives Debian's chromium through Playwright against pytest-django's live
server; screenshots go to var/screenshots/imp-*.png (English: imp-*-en.png).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from sangkien.imports.models import ImportJob, JobStatus
from sangkien.initiatives.models import Initiative
from sangkien.roles.models import Role
from tests.browser.conftest import PHONE, sign_in, switch_language
from tests.factories import UserFactory, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
#: What the pages say, per language: written out, so an untranslated page fails the English run.
TEXTS = {
    "vi": {"upload_h1": "Nhập sáng kiến từ Excel", "checked": "Đã kiểm tra, chờ xác nhận", "row": "Dòng 7",
           "phone": "Số điện thoại", "invalid": "không hợp lệ", "saved": "Đã lưu", "saved_n": "Đã lưu 2 sáng kiến",
           "export": "Tải Excel/CSV", "export_headers": ["Mã theo dõi", "Tên sáng kiến", "Mã đơn vị"]},
    "en": {"upload_h1": "Import initiatives from Excel", "checked": "Checked, awaiting confirmation", "row": "Row 7",
           "phone": "Phone number", "invalid": "Invalid phone number", "saved": "Saved",
           "saved_n": "Saved 2 initiatives", "export": "Download Excel/CSV",
           "export_headers": ["Tracking code", "Initiative title", "Unit code"]},
}
ROWS = [  # (name, phone, unit, sector, title, benefit, applied from)
    ("Nguyễn Thị Hoa", "0912 345 678", "CĐCS Công ty May Yên Khánh (375-0002)", "Khối doanh nghiệp",
     "Gá kẹp cổ áo giúp may nhanh hơn", "1,5 triệu", "01/06/2021"),
    ("Trần Văn Bình", "0987 65", "CĐCS Công ty May Yên Khánh (375-0002)", "Khối doanh nghiệp",
     "Bảng theo dõi lỗi đường may", "800.000", ""),
    ("Lê Thị Cúc", "0977 111 222", "CĐCS Trường THCS Khánh Hội (375-0001)", "Khối hành chính sự nghiệp",
     "Sổ tay điện tử theo dõi bài tập về nhà", "500000 đ", ""),
]


def _fill(template: bytes, language: str) -> bytes:
    """What the officer does in Excel or LibreOffice: one row per initiative below the examples.

    The template's sheet and headers are in ``language`` (the page's); the
    sector is written as the drop-down offers it, in that language too.
    """
    with translation.override(language):
        t = {msgid: gettext(msgid) for msgid in (
            "Sáng kiến", "STT", "Họ và tên tác giả", "Số điện thoại", "Công đoàn cơ sở", "Khối", "Tên sáng kiến",
            "Mô tả sáng kiến", "Giá trị làm lợi (đồng/năm)", "Áp dụng từ ngày", "Khối doanh nghiệp",
            "Khối hành chính sự nghiệp")}
    book = load_workbook(io.BytesIO(template))
    sheet = book[t["Sáng kiến"]]
    header = [c.value for c in sheet[3]]
    col = {name: header.index(name) + 1 for name in header if name}
    for offset, (name, phone, unit, sector, title, benefit, applied) in enumerate(ROWS):
        r = 6 + offset
        sheet.cell(r, col[t["STT"]], offset + 1)
        sheet.cell(r, col[t["Họ và tên tác giả"] + " *"], name)
        sheet.cell(r, col[t["Số điện thoại"]], phone)
        sheet.cell(r, col[t["Công đoàn cơ sở"] + " *"], unit)
        sheet.cell(r, col[t["Khối"] + " *"], t[sector])
        sheet.cell(r, col[t["Tên sáng kiến"] + " *"], title)
        sheet.cell(r, col[t["Mô tả sáng kiến"] + " *"], f"{title}: cách làm, kết quả.")
        sheet.cell(r, col[t["Giá trị làm lợi (đồng/năm)"]], benefit)
        if applied:
            sheet.cell(r, col[t["Áp dụng từ ngày"]], applied)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_officer_imports_an_excel_file_on_a_phone(live_server, browser, shoot, journey_world, settings, tmp_path,
                                                   language):
    texts = TEXTS[language]
    suffix = "" if language == "vi" else f"-{language}"
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(full_name="Phạm Văn Hỗ Trợ", email="hotro@yenkhanh.vn")
    grant(officer, journey_world["district"], Role.SUPPORT_TEAM)
    slug = journey_world["programme"].slug
    base = live_server.url
    problems: list[str] = []

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)

    # 1. Signed in, the language chosen in the header, from the officer's page to the
    # import page of the district.
    sign_in(page, base, officer.email)
    page.goto(f"{base}/can-bo/")
    switch_language(page, language)
    with page.expect_navigation():
        page.locator(f"a[href='/can-bo/don-vi/375/nhap-excel/{slug}/']").first.click()
    assert texts["upload_h1"] in page.locator("h1").inner_text()
    shoot(page, f"imp-01-upload-page{suffix}")

    # 2. The template, downloaded and filled in.
    with page.expect_download() as download_info:
        page.locator("[data-testid=template-link]").click()
    download = download_info.value
    assert download.suggested_filename == "mau-sang-kien-375.xlsx"
    filled = tmp_path / "tong-hop-375.xlsx"
    filled.write_bytes(_fill(Path(download.path()).read_bytes(), language))

    # 3. Upload: the preview shows the bad row and the choice.
    page.set_input_files("input[name=file]", str(filled))
    with page.expect_navigation():
        page.locator("form.upload-form button[type=submit]").click()
    assert page.locator("[data-testid=job-status]").inner_text().strip() == texts["checked"]
    errors = page.locator("[data-testid=row-errors]").inner_text()
    assert texts["row"] in errors and texts["phone"] in errors and texts["invalid"] in errors, errors
    assert "Sổ tay điện tử theo dõi bài tập về nhà" in page.locator("[data-testid=sample]").inner_text()
    assert page.locator("[data-testid=rows-valid]").inner_text().strip() == "2"
    assert page.locator("[data-testid=rows-invalid]").inner_text().strip() == "1"
    shoot(page, f"imp-02-preview-with-error{suffix}")

    # 4. Save the valid rows; the result keeps the file with the errors column.
    with page.expect_navigation():
        page.locator("[data-testid=save-valid]").click()
    assert page.locator("[data-testid=job-status]").inner_text().strip() == texts["saved"]
    assert texts["saved_n"] in page.locator(".messages").inner_text()
    shoot(page, f"imp-03-saved{suffix}")
    with page.expect_download() as result_info:
        page.locator("[data-testid=result-file]").click()
    with translation.override(language):
        data_sheet = gettext("Sáng kiến")
    result = load_workbook(io.BytesIO(Path(result_info.value.path()).read_bytes()), read_only=True)[data_sheet]
    cells = list(result.iter_rows(values_only=True))
    assert cells[5][1].startswith("SK-") and texts["phone"] in cells[6][0] and cells[7][1].startswith("SK-")

    job = ImportJob.objects.get()
    assert job.status == JobStatus.SAVED and job.rows_saved == 2
    assert Initiative.objects.filter(entered_by=officer).count() == 2

    # 5. The district dashboard offers the export with the same filters; the list of
    # initiatives downloads as XLSX, its header row in the page's language.
    page.goto(f"{base}/thong-ke/{slug}/375/")
    with page.expect_navigation():
        page.locator(".officer-tools a", has_text=texts["export"]).click()
    assert texts["export"] in page.locator("h1").inner_text()
    shoot(page, f"imp-04-export-page{suffix}")
    with page.expect_download() as export_info:
        page.locator("[data-testid=export-initiatives-xlsx]").click()
    assert export_info.value.suggested_filename.endswith(".xlsx")
    export = load_workbook(io.BytesIO(Path(export_info.value.path()).read_bytes()), read_only=True).worksheets[0]
    rows = list(export.iter_rows(values_only=True))
    assert list(rows[0][:3]) == texts["export_headers"], rows[0]
    assert sorted(row[1] for row in rows[1:]) == ["Gá kẹp cổ áo giúp may nhanh hơn",
                                                 "Sổ tay điện tử theo dõi bài tập về nhà"]

    context.close()
    assert problems == []

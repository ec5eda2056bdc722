"""A disguised file on a 390 px phone, in Vietnamese and English (issue 9 item 10).

The member chooses a web page renamed ``.png`` beside a real PDF: the form
comes back naming the disguised file, with everything typed and the PDF kept;
a real photo then goes through.  Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import pytest

from sangkien.initiatives.models import Initiative
from tests.browser.conftest import sign_in, type_description
from tests.browser.test_member_pages import fits_the_phone, phone, world  # noqa: F401 (fixtures)
from tests.uploads import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Mài dao máy cắt theo lịch tuần"
TEXT = {
    "vi": "Tệp “anh-may-cat.png”: nội dung không phải là tệp .png (có thể là tệp khác bị đổi tên)",
    "en": "File “anh-may-cat.png”: its content is not a .png file (it may be another kind of file renamed)",
}
PAGE = b"<!DOCTYPE html><html><body><script>fetch('/x?c=' + document.cookie)</script></body></html>"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_web_page_named_png_is_refused_and_the_form_keeps_the_rest(world, live_server, phone, shoot, lang):  # noqa: F811
    base = live_server.url
    page = phone(lang)
    sign_in(page, base, "hoa@khanhhoi.vn")
    page.goto(f"{base}/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001")
    page.wait_for_selector("trix-editor")
    page.fill("#id_author_phone", "0912 345 678")
    page.check("input[name=sector_block][value=enterprise]")
    page.fill("#id_title", TITLE)
    type_description(page, "Dao được mài mỗi tuần.")
    page.set_input_files("#id_attachments", files=[
        {"name": "anh-may-cat.png", "mimeType": "image/png", "buffer": PAGE},
        {"name": "ke-hoach.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% ke hoach\n"}])
    with page.expect_navigation():
        page.locator("form.submission-form button[type=submit]").last.click()
    error = page.locator("[data-testid=attachments] small.error")
    assert error.count() == 1 and TEXT[lang] in error.inner_text()
    held = page.locator("[data-testid=held-files]").inner_text()
    assert "ke-hoach.pdf" in held and "anh-may-cat.png" not in held
    assert page.locator("#id_title").input_value() == TITLE
    assert "mỗi tuần" in page.locator("#id_description").input_value()
    assert page.locator("#id_author_phone").input_value() == "0912 345 678"
    assert not Initiative.objects.filter(title=TITLE).exists()
    fits_the_phone(page)
    shoot(page, f"member-disguised-file-{lang}")
    page.set_input_files("#id_attachments", files=[
        {"name": "anh-may-cat.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}])
    with page.expect_navigation():
        page.locator("form.submission-form button[type=submit]").last.click()
    initiative = Initiative.objects.get(title=TITLE)
    assert sorted(a.original_name for a in initiative.attachments.all()) == ["anh-may-cat.png", "ke-hoach.pdf"]


TOO_LARGE = {
    "vi": "Trang này nhận tối đa 1 MB mỗi lần gửi; tệp của bạn chưa được nhận.",
    "en": "This page takes at most 1 MB per submission; your file was not received.",
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_files_larger_than_the_page_takes_get_the_413_page(world, live_server, phone, shoot, settings, lang):  # noqa: F811
    settings.SANGKIEN_ATTACHMENT_MAX_BYTES = 100 * 1024  # the cap: 5 × 100 KB + 600 KB = 1 MB
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 600 * 1024
    base = live_server.url
    page = phone(lang)
    sign_in(page, base, "hoa@khanhhoi.vn")
    page.goto(f"{base}/chuong-trinh/01-trieu-sang-kien/gui-sang-kien/?don-vi=375-0001")
    page.wait_for_selector("trix-editor")
    page.check("input[name=sector_block][value=enterprise]")
    page.fill("#id_title", TITLE)
    type_description(page, "Dao được mài mỗi tuần.")
    page.set_input_files("#id_attachments", files=[
        {"name": f"ban-scan-{n}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"x" * 400_000}
        for n in range(3)])
    with page.expect_navigation() as navigation:
        page.locator("form.submission-form button[type=submit]").last.click()
    assert navigation.value.status == 413
    assert TOO_LARGE[lang] in page.locator("[data-testid=too-large]").inner_text()
    assert page.locator("html").get_attribute("lang") == lang
    assert not Initiative.objects.filter(title=TITLE).exists()
    fits_the_phone(page)
    shoot(page, f"member-upload-too-large-{lang}")

"""Attachments are judged by their bytes, bodies are capped, uploads are limited (issue 9 item 10).

Before: HTML named ``.png``, an SVG with a script named ``.png`` and a Windows
program named ``.pdf`` were attached; photos kept their GPS position; a
200 MB body was read before it was refused; nobody's uploads were limited.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from sangkien.core.clock import local_datetime
from sangkien.initiatives.models import Initiative, PendingUpload
from tests.factories import UserFactory
from tests.http import close_response
from tests.initiatives.test_submission import form_data, submit_url
from tests.uploads import image_bytes

pytestmark = pytest.mark.django_db

OPEN = local_datetime(2021, 4, 5, 10)
TITLE = "Mài dao máy cắt theo lịch tuần"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/x?c='+document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b"<script>alert(document.domain)</script></svg>")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def office_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


DOCX = office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = office_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


@pytest.fixture
def member(client):
    user = UserFactory(full_name="Nguyễn Thị Hoa")
    client.force_login(user)
    return user


def upload(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def send(client, tree, phase, *files, **fields):
    data = form_data(tree, **{"title": TITLE, **fields})
    return client.post(submit_url(phase.programme), {**data, "attachments": list(files)})


def stored(initiative) -> list[bytes]:
    items = []
    for item in initiative.attachments.order_by("pk"):
        with item.file.open("rb") as f:
            items.append(f.read())
    return items


# --- by their bytes ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "body"), [
    ("anh-may.png", HTML),                                   # HTML as .png
    ("so-do.png", SVG),                                      # SVG with a script as .png
    ("bao-cao.pdf", EXE),                                    # a Windows program as .pdf
    ("anh.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + HTML),  # polyglot: JPEG signature, then HTML
    ("thuyet-minh.docx", office_zip({"index.html": HTML})),  # a zip that is no Word document
    ("bang.xlsx", DOCX),                                     # a Word document named .xlsx
    ("cu.doc", b"%PDF-1.4 " + HTML),                         # a PDF named .doc (no OLE signature)
])
@time_machine.travel(OPEN, tick=False)
def test_a_disguised_file_is_refused_by_name_and_the_rest_is_kept(client, member, tree, phase, name, body):
    response = send(client, tree, phase, upload(name, body), upload("ke-hoach.pdf", b"%PDF-1.4 ke hoach"))
    html = response.content.decode()
    assert response.status_code == 200
    assert Initiative.objects.count() == 0
    assert f"Tệp “{name}”: nội dung không phải là tệp" in html
    assert f'value="{TITLE}"' in html  # what was typed stays
    assert [p.original_name for p in PendingUpload.objects.all()] == ["ke-hoach.pdf"]  # the good file is held


@time_machine.travel(OPEN, tick=False)
def test_real_documents_are_attached_when_their_bytes_match_their_names(client, member, tree, phase):
    files = [upload("a.pdf", b"%PDF-1.7\n%test"), upload("b.doc", OLE), upload("c.docx", DOCX),
             upload("d.xlsx", XLSX), upload("e.png", image_bytes("PNG"))]
    response = send(client, tree, phase, *files)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(Initiative.objects.get().attachments.values_list("original_name", flat=True)) == [
        "a.pdf", "b.doc", "c.docx", "d.xlsx", "e.png"]
    # and the same Word document under an Excel name is not
    response = send(client, tree, phase, upload("f.xls", DOCX), submission_token="other",
                    title="Sắp xếp kho vật tư", description="<p>Kho gọn hơn</p>")
    assert response.status_code == 200
    assert "Tệp “f.xls”: nội dung không phải là tệp .xls" in response.content.decode()
    assert Initiative.objects.count() == 1


@time_machine.travel(OPEN, tick=False)
def test_a_picture_with_html_appended_is_stored_as_the_picture_alone(client, member, tree, phase):
    polyglot = image_bytes("PNG") + HTML
    assert send(client, tree, phase, upload("may.png", polyglot)).status_code == 302
    (body,) = stored(Initiative.objects.get())
    assert b"<script" not in body
    assert Image.open(io.BytesIO(body)).format == "PNG"


@time_machine.travel(OPEN, tick=False)
def test_a_photo_loses_its_gps_position_and_camera_but_keeps_its_orientation(client, member, tree, phase):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to show"
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8825).update({1: "N", 2: (10.0, 45.0, 0.0), 3: "E", 4: (106.0, 40.0, 0.0)})
    photo = image_bytes("JPEG", size=(80, 60), exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the GPS is there to begin with
    assert send(client, tree, phase, upload("anh-may-cat.jpg", photo)).status_code == 302
    initiative = Initiative.objects.get()
    (body,) = stored(initiative)
    picture = Image.open(io.BytesIO(body))
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert b"Canon" not in body and b"Exif" not in body
    assert picture.size == (60, 80)  # turned as the camera said, so it shows upright without EXIF
    assert initiative.attachments.get().size == len(body)


@time_machine.travel(OPEN, tick=False)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(client, member, tree, phase):
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 12 KB on disk, 100 million pixels
    tracemalloc.start()
    try:
        response = send(client, tree, phase, upload("ban-ve.png", out.getvalue()))
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert "Tệp “ban-ve.png”: ảnh quá lớn (tối đa 40 triệu điểm ảnh)." in response.content.decode()
    assert Initiative.objects.count() == 0 and PendingUpload.objects.count() == 0
    assert peak < 40 * 1024 * 1024


# --- downloads ----------------------------------------------------------------------------------

@time_machine.travel(OPEN, tick=False)
def test_a_download_is_an_attachment_of_its_type_and_never_runs_as_a_page(client, member, tree, phase):
    assert send(client, tree, phase, upload("ke-hoach.pdf", b"%PDF-1.4 ke hoach")).status_code == 302
    initiative = Initiative.objects.get()
    item = initiative.attachments.get()
    response = client.get(reverse("initiatives:attachment", args=[initiative.tracking_code, item.pk]))
    close_response(response)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy


# --- bodies ---------------------------------------------------------------------------------------

class HugeBody:
    """A request body of ``size`` bytes made up as it is read; counts what was read and
    stops a test that reads more than 1 MB of it (no 200 MB is ever held or written)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0
        self.head = (b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"big.pdf\"\r\n"
                     b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_bytes if n is None or n < 0 else min(n, self.size - self.read_bytes)
        self.read_bytes += n
        if self.read_bytes > 1024 * 1024:
            raise AssertionError("the body is being read")
        start = self.read_bytes - n
        chunk = self.head[start:start + n]
        return chunk + b"x" * (n - len(chunk))

    def readline(self, n: int = -1) -> bytes:
        return self.read(min(n, 8192) if n and n > 0 else 8192)


@time_machine.travel(OPEN, tick=False)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_200_mb_body_is_refused_with_413_without_being_read(client, member, tree, phase, lang):
    client.cookies["django_language"] = lang
    body = HugeBody(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        response = client.generic("POST", submit_url(phase.programme), b"",
                                  CONTENT_TYPE="multipart/form-data; boundary=BOUNDARY",
                                  CONTENT_LENGTH=str(body.size), **{"wsgi.input": body})
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert peak < 5 * 1024 * 1024
    html = response.content.decode()
    assert '<html lang="' + lang in html
    assert 'data-testid="too-large"' in html and "62 MB" in html  # 5 files × 10 MB + the form's 12 MB
    if lang == "vi":
        assert "Trang này nhận tối đa 62 MB mỗi lần gửi; tệp của bạn chưa được nhận." in html
    else:
        assert "This page takes at most 62 MB per submission; your file was not received." in html
    assert Initiative.objects.count() == 0 and PendingUpload.objects.count() == 0


@time_machine.travel(OPEN, tick=False)
def test_pages_without_files_take_small_bodies_and_chunked_bodies_are_never_read(client, member, tree, phase):
    three_mb = HugeBody(3 * 1024 * 1024)
    response = client.generic("POST", reverse("initiatives:track"), b"", CONTENT_LENGTH=str(three_mb.size),
                              CONTENT_TYPE="application/x-www-form-urlencoded", **{"wsgi.input": three_mb})
    assert response.status_code == 413 and three_mb.read_bytes == 0
    assert "2 MB" in response.content.decode()
    # No Content-Length (chunked): Django's WSGI handler reads such a body as empty.
    chunked = HugeBody(200 * 1024 * 1024)
    response = client.generic("POST", submit_url(phase.programme), b"", HTTP_TRANSFER_ENCODING="chunked",
                              CONTENT_TYPE="multipart/form-data; boundary=BOUNDARY", **{"wsgi.input": chunked})
    assert chunked.read_bytes == 0
    assert response.status_code == 200 and Initiative.objects.count() == 0


# --- how much one person uploads ----------------------------------------------------------------

@time_machine.travel(OPEN, tick=False)
def test_uploads_per_person_and_hour_are_limited_keeping_what_was_typed(client, member, tree, phase, settings):
    settings.SANGKIEN_UPLOAD_FILES_PER_HOUR = 3
    token = "quota-token"
    first = send(client, tree, phase, upload("1.pdf", b"%PDF-1 a"), upload("2.pdf", b"%PDF-1 b"),
                 title="", submission_token=token)
    assert first.status_code == 200 and PendingUpload.objects.count() == 2
    response = send(client, tree, phase, upload("3.pdf", b"%PDF-1 c"), upload("4.pdf", b"%PDF-1 d"),
                    submission_token=token, effect_summary="Giữ nguyên chữ đã gõ")
    html = response.content.decode()
    assert response.status_code == 200 and Initiative.objects.count() == 0
    assert "Bạn đã gửi quá nhiều tệp trong một giờ (tối đa 3 tệp, 150 MB mỗi giờ)." in html
    assert "Giữ nguyên chữ đã gõ" in html and f'value="{TITLE}"' in html
    assert sorted(PendingUpload.objects.values_list("original_name", flat=True)) == ["1.pdf", "2.pdf"]
    # another person is not affected
    client.force_login(UserFactory(full_name="Trần Văn Bình"))
    other = send(client, tree, phase, upload("x.pdf", b"%PDF-1 x"), upload("y.pdf", b"%PDF-1 y"),
                 title="Sắp xếp kho vật tư", author_phone="0987 111 222", description="<p>Kho gọn hơn</p>")
    assert other.status_code == 302
    # an hour later the member may send again
    client.force_login(member)
    with time_machine.travel(local_datetime(2021, 4, 5, 11, 1), tick=False):
        response = send(client, tree, phase, upload("3.pdf", b"%PDF-1 c"), upload("4.pdf", b"%PDF-1 d"),
                        submission_token=token)
    assert response.status_code == 302, response.content.decode()[:3000]
    mine = Initiative.objects.get(submitted_by=member)
    assert sorted(mine.attachments.values_list("original_name", flat=True)) == ["1.pdf", "2.pdf", "3.pdf", "4.pdf"]


# --- import files ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "body", "words"), [
    ("tong-hop.xlsx", HTML, "không phải là tệp Excel .xlsx thật"),      # an HTML "Excel" export
    ("tong-hop.xlsx", DOCX, "không phải là tệp Excel .xlsx thật"),      # a Word document
    ("tong-hop.csv", XLSX, "không phải là tệp CSV (văn bản)"),          # a workbook named .csv
    ("tong-hop.csv", EXE, "không phải là tệp CSV (văn bản)"),
])
def test_an_import_file_must_be_what_its_name_says(client, tree, phase, name, body, words):
    from sangkien.roles.models import Role, RoleAssignment

    officer = UserFactory()
    RoleAssignment.objects.create(user=officer, unit=tree["d1"], role=Role.SUPPORT_TEAM)
    client.force_login(officer)
    with time_machine.travel(OPEN, tick=False):
        response = client.post(reverse("imports:upload", args=[tree["d1"].code, phase.programme.slug]),
                               {"file": upload(name, body)})
    assert response.status_code == 200
    assert f"Tệp “{name}” {words}" in response.content.decode()


def test_each_page_that_takes_files_has_the_larger_cap_and_the_rest_the_small_one():
    from django.urls import resolve

    from sangkien.core.middleware import body_limit_for

    pages = {"/chuong-trinh/p/gui-sang-kien/": 62, "/sang-kien/ABC123/sua/": 62,
             "/can-bo/don-vi/375/nhap-ho/p/": 62, "/can-bo/don-vi/375/nhap-excel/p/": 61,
             "/sang-kien/ABC123/": 2, "/theo-doi/": 2}
    assert {path: body_limit_for(resolve(path).view_name) >> 20 for path in pages} == pages

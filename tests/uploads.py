"""Real files for upload tests: attachments are checked by their bytes (issue 9 item 10),
so a test that means "a photo" sends a picture Pillow can decode."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (8, 6), exif: bytes | None = None) -> bytes:
    """A small real picture in ``fmt`` (Pillow format name), optionally carrying ``exif``."""
    from PIL import Image

    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **options)
    return out.getvalue()


def photo(name: str = "anh-may-cat.jpg", body: bytes | None = None) -> SimpleUploadedFile:
    """A real JPEG upload named ``name``."""
    return SimpleUploadedFile(name, image_bytes() if body is None else body, content_type="image/jpeg")

"""Attachments a member adds: files held across a failed form, and changes on a
returned initiative (issue 8 item 7).

A file chosen on a form that comes back with errors is stored as a
:class:`~sangkien.initiatives.models.PendingUpload` (under
``MEDIA_ROOT/pending/``), tied to the member and the form's token, and listed
on the re-displayed form; it becomes an attachment when the form is accepted.
Held files older than a day are deleted by :func:`purge_expired_uploads`
(called whenever files are held, and by ``manage.py purge_pending_uploads``).

Files are judged by their bytes, not their names (issue 9 item 10):
:func:`prepare_upload` refuses a file whose content is not the kind its
extension says (HTML or SVG named ``.png``, a Windows program named ``.pdf``),
and re-encodes photos so that their EXIF (GPS position, camera, owner) is not
kept.  :func:`spend_upload_quota` limits how much one person uploads per hour.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.core.exceptions import InvalidTransition
from sangkien.core.models import log_action
from sangkien.core.sql import first_row
from sangkien.initiatives.details import InitiativeDetails
from sangkien.initiatives.models import (
    PENDING_UPLOAD_TTL_HOURS,
    Attachment,
    Initiative,
    PendingUpload,
)
from sangkien.initiatives.services import resubmit_initiative

if TYPE_CHECKING:
    from sangkien.accounts.models import User

#: The first bytes of every OLE2 compound file: Word 97–2003 (.doc), Excel (.xls), PowerPoint (.ppt).
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: What the bytes of a file with each extension must be: a ``filetype`` kind, "ole", or an
#: Office Open XML / OpenDocument zip recognised by the parts it holds (:func:`_zip_kind`).
CONTENT_KINDS = {
    "pdf": "pdf", "doc": "ole", "xls": "ole", "ppt": "ole",
    "docx": "docx", "xlsx": "xlsx", "pptx": "pptx", "odt": "odt", "ods": "ods",
    "jpg": "jpg", "jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp",
}
#: The image kinds, re-encoded by Pillow (with its format name) to drop their metadata.
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
#: The type a download is sent with, by extension (anything else: ``application/octet-stream``).
CONTENT_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
}
_OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_ODF_TYPES = {"odt": b"application/vnd.oasis.opendocument.text",
              "ods": b"application/vnd.oasis.opendocument.spreadsheet"}


def content_type_for(name: str) -> str:
    """The MIME type an attachment named ``name`` is downloaded with (from :data:`CONTENT_TYPES`)."""
    return CONTENT_TYPES.get(Path(name).suffix.lower().lstrip("."), "application/octet-stream")


def upload_problem(name: str, size: int) -> str | None:
    """Why a file may not be attached (translated), or ``None`` when it may.

    Rules from settings: ``SANGKIEN_ATTACHMENT_EXTENSIONS`` and
    ``SANGKIEN_ATTACHMENT_MAX_BYTES`` (bytes).
    """
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in settings.SANGKIEN_ATTACHMENT_EXTENSIONS:
        return _("Tệp “%(name)s”: chỉ nhận %(exts)s.") % {
            "name": name, "exts": ", ".join(settings.SANGKIEN_ATTACHMENT_EXTENSIONS)}
    if size > settings.SANGKIEN_ATTACHMENT_MAX_BYTES:
        return _("Tệp “%(name)s” lớn hơn %(mb)d MB.") % {
            "name": name, "mb": settings.SANGKIEN_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
    return None


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare_upload` made of a file: ``problem`` (translated) or the ``file`` to store."""

    problem: str | None
    file: Any = None


def prepare_upload(upload: Any) -> Prepared:
    """Check one uploaded file by its name, size and bytes; give the file to store.

    The extension must be allowed (:func:`upload_problem`) and the bytes must be
    that kind (:data:`CONTENT_KINDS`: the PDF signature, the OLE2 signature for
    .doc/.xls, a zip holding the Word/Excel parts for .docx/.xlsx, a picture
    Pillow can decode for .jpg/.png).  Pictures are decoded and encoded again,
    orientation applied, without EXIF/XMP (GPS position, camera, author) and
    without anything appended after the picture (polyglot files); a picture
    of more than ``SANGKIEN_UPLOAD_MAX_PIXELS`` pixels is refused before it is
    decoded (decompression bombs).  The result is remembered on ``upload``.

    :returns: ``Prepared(problem=None, file=...)`` (the upload itself, or a
        :class:`ContentFile` of the same name for a picture), or
        ``Prepared(problem=message)`` naming the file.
    """
    done: Prepared | None = getattr(upload, "_sangkien_prepared", None)
    if done is not None:
        return done
    problem = upload_problem(upload.name, upload.size)
    result = Prepared(problem) if problem else _check_content(upload)
    upload._sangkien_prepared = result
    return result


def _check_content(upload: Any) -> Prepared:
    name = upload.name
    ext = Path(name).suffix.lower().lstrip(".")
    kind = CONTENT_KINDS.get(ext)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    refused = Prepared(_("Tệp “%(name)s”: nội dung không phải là tệp .%(ext)s (có thể là tệp khác bị đổi tên); "
                         "không nhận tệp này.") % {"name": name, "ext": ext})
    if kind is None or not head:
        return refused
    if kind == "ole":
        return Prepared(None, upload) if head.startswith(OLE_SIGNATURE) else refused
    if kind in _OOXML_PARTS or kind in _ODF_TYPES:
        return Prepared(None, upload) if _zip_kind(upload, kind) else refused
    if kind in IMAGE_FORMATS:
        return _reencode(upload, kind, refused)
    guessed = filetype.guess(head)
    return Prepared(None, upload) if guessed is not None and guessed.extension == kind else refused


def _zip_kind(upload: Any, kind: str) -> bool:
    """Whether ``upload`` is a zip holding the parts of a ``kind`` document (reads its directory only)."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if kind in _OOXML_PARTS:
                return "[Content_Types].xml" in names and _OOXML_PARTS[kind] in names
            info = archive.getinfo("mimetype") if "mimetype" in names else None
            return info is not None and info.file_size < 200 and archive.read(info).strip() == _ODF_TYPES[kind]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


def _reencode(upload: Any, kind: str, refused: Prepared) -> Prepared:
    """Decode the picture and encode it again without metadata (see :func:`prepare_upload`)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = IMAGE_FORMATS[kind]
    too_big = Prepared(_("Tệp “%(name)s”: ảnh quá lớn (tối đa %(max)d triệu điểm ảnh).") % {
        "name": upload.name, "max": settings.SANGKIEN_UPLOAD_MAX_PIXELS // 1_000_000})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=[fmt]) as image:
                width, height = image.size
                if width * height > settings.SANGKIEN_UPLOAD_MAX_PIXELS:
                    return too_big
                image.load()
                picture = ImageOps.exif_transpose(image)
                if fmt == "JPEG" and picture.mode not in ("RGB", "L", "CMYK"):
                    picture = picture.convert("RGB")
                options: dict[str, Any] = {"JPEG": {"quality": 90}, "PNG": {},
                                           "WEBP": {"quality": 90}, "GIF": {}}[fmt]
                icc = image.info.get("icc_profile")
                if icc and fmt != "GIF":
                    options["icc_profile"] = icc
                out = io.BytesIO()
                picture.save(out, format=fmt, **options)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_big
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return refused
    finally:
        upload.seek(0)
    return Prepared(None, ContentFile(out.getvalue(), name=Path(upload.name).name))


def spend_upload_quota(*, user: User, files: list[Any]) -> str | None:
    """Count ``files`` against ``user``'s uploads of this clock hour; the refusal (translated) or ``None``.

    Limits from settings: ``SANGKIEN_UPLOAD_FILES_PER_HOUR`` files and
    ``SANGKIEN_UPLOAD_MB_PER_HOUR`` MB per person, counted in the cache
    (shared by every process when ``REDIS_URL`` is set), every file received
    whether accepted or not.  A refused batch is not counted.
    """
    if not files or not getattr(user, "is_authenticated", False):
        return None
    hour = now().astimezone(dt.UTC).strftime("%Y%m%d%H")
    keys = (f"sangkien:uploads:files:{user.pk}:{hour}", f"sangkien:uploads:bytes:{user.pk}:{hour}")
    amounts = (len(files), sum(int(f.size or 0) for f in files))
    limits = (settings.SANGKIEN_UPLOAD_FILES_PER_HOUR, settings.SANGKIEN_UPLOAD_MB_PER_HOUR * 1024 * 1024)
    used = []
    for key, amount in zip(keys, amounts, strict=True):
        cache.add(key, 0, timeout=2 * 3600)
        used.append(cache.incr(key, amount))
    if any(total > limit for total, limit in zip(used, limits, strict=True)):
        for key, amount in zip(keys, amounts, strict=True):
            cache.decr(key, amount)
        return _("Bạn đã gửi quá nhiều tệp trong một giờ (tối đa %(n)d tệp, %(mb)d MB mỗi giờ). "
                 "Hãy đợi rồi chọn lại tệp; những gì bạn đã nhập vẫn được giữ.") % {
            "n": settings.SANGKIEN_UPLOAD_FILES_PER_HOUR, "mb": settings.SANGKIEN_UPLOAD_MB_PER_HOUR}
    return None


def held_uploads(*, owner: Any, token: str) -> list[PendingUpload]:
    """The files ``owner`` chose on the form ``token`` and that are still held (oldest first)."""
    if not token or "\x00" in token or not getattr(owner, "is_authenticated", False):
        return []  # a NUL (never in our tokens) would make PostgreSQL refuse the query (500)
    # Every submission's POST asks, and nearly every form holds none: a plain probe first (building
    # the query through the ORM cost twenty times the statement, issue 12 round 10), the ORM's
    # query only when the form holds files.
    if first_row(PendingUpload, owner_id=owner.pk, token=token) is None:
        return []
    oldest = now() - dt.timedelta(hours=PENDING_UPLOAD_TTL_HOURS)
    return list(PendingUpload.objects.filter(owner=owner, token=token, created_at__gte=oldest))


def hold_uploads(*, owner: Any, token: str, uploads: Iterable[UploadedFile], room: int) -> list[PendingUpload]:
    """Hold the acceptable files of ``uploads`` (at most ``room`` of them) for the form ``token``.

    Files that break a rule (:func:`prepare_upload`) are not held: the form
    already says why.  Pictures are held re-encoded.  Returns the new held files.
    """
    purge_expired_uploads()
    held: list[PendingUpload] = []
    with transaction.atomic():
        for upload in uploads:
            if len(held) >= room:
                break
            prepared = prepare_upload(upload) if upload else None
            if prepared is None or prepared.problem:
                continue
            item = PendingUpload(owner=owner, token=token[:64], original_name=upload.name[:255],  # type: ignore[index]  # files have names
                                 size=prepared.file.size)
            item.file.save(Path(upload.name).name, prepared.file, save=False)  # type: ignore[arg-type]
            item.save()
            held.append(item)
        if held:
            log_action(actor=owner, action="attachment.held", obj=held[0], token=token[:64],
                       files=[h.original_name for h in held])
    return held


def drop_held(*, owner: Any, token: str, ids: Iterable[int | str] | None = None) -> int:
    """Delete ``owner``'s held files of the form ``token`` (only ``ids`` when given); returns how many."""
    qs = PendingUpload.objects.filter(owner=owner, token=token)
    if ids is not None:
        wanted = {int(i) for i in ids if str(i).isdigit()}
        qs = qs.filter(pk__in=wanted)
    return _delete(list(qs))


def purge_expired_uploads(*, limit: int = 500) -> int:
    """Delete held files older than :data:`PENDING_UPLOAD_TTL_HOURS` (at most ``limit``); returns how many."""
    oldest = now() - dt.timedelta(hours=PENDING_UPLOAD_TTL_HOURS)
    return _delete(list(PendingUpload.objects.filter(created_at__lt=oldest).order_by("pk")[:limit]))


def _delete(items: list[PendingUpload]) -> int:
    if not items:
        return 0
    names = [item.file.name for item in items]
    storage = items[0].file.storage
    PendingUpload.objects.filter(pk__in=[item.pk for item in items]).delete()

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return len(items)


@contextmanager
def opened(held: list[PendingUpload]) -> Iterator[list[File[Any]]]:
    """The held files as open :class:`File` objects named as the member named them,
    ready for the services' ``files=`` argument; closed on exit."""
    files = [File(item.file.open("rb"), name=item.original_name) for item in held]
    for f, item in zip(files, held, strict=True):
        f.size = item.size
    try:
        yield files
    finally:
        for f in files:
            f.close()


def resubmit_with_attachments(
    *, initiative: Initiative, details: InitiativeDetails, actor: User,
    add: list[Any] | None = None, remove: Iterable[int] = (),
) -> Initiative:
    """Send back a returned initiative with changed details and attachments, in one transaction.

    ``add`` are files (uploads or :func:`opened` held files) to attach;
    ``remove`` are ids of the initiative's attachments to delete.  The total
    may not pass ``SANGKIEN_ATTACHMENT_MAX_FILES``.

    :raises NotAllowed, InvalidTransition, SubmissionClosed, ExactResubmission:
        as :func:`~sangkien.initiatives.services.resubmit_initiative`; also
        InvalidTransition when there would be too many files.
    """
    add = list(add or [])
    remove_ids = {int(i) for i in remove}
    with transaction.atomic():
        resubmit_initiative(initiative=initiative, details=details, actor=actor)
        removed = list(initiative.attachments.filter(pk__in=remove_ids))
        remaining = initiative.attachments.count() - len(removed)
        if remaining + len(add) > settings.SANGKIEN_ATTACHMENT_MAX_FILES:
            raise InvalidTransition(_("Tối đa %(n)d tệp đính kèm.") % {"n": settings.SANGKIEN_ATTACHMENT_MAX_FILES})
        names = [a.file.name for a in removed]
        storage = Attachment._meta.get_field("file").storage
        Attachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
        for upload in add:
            Attachment.objects.create(initiative=initiative, file=upload, original_name=upload.name[:255],
                                      size=upload.size)
        if add or removed:
            log_action(actor=actor, action="initiative.attachments_changed", obj=initiative, unit=initiative.unit,
                       added=[u.name[:255] for u in add], removed=[a.original_name for a in removed])

        def remove_files() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(remove_files)
    return initiative

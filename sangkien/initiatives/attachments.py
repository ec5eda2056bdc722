"""Attachments a member adds: files held across a failed form, and changes on a
returned initiative (issue 8 item 7).

A file chosen on a form that comes back with errors is stored as a
:class:`~sangkien.initiatives.models.PendingUpload` (under
``MEDIA_ROOT/pending/``), tied to the member and the form's token, and listed
on the re-displayed form; it becomes an attachment when the form is accepted.
Held files older than a day are deleted by :func:`purge_expired_uploads`
(called whenever files are held, and by ``manage.py purge_pending_uploads``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.core.exceptions import InvalidTransition
from sangkien.core.models import log_action
from sangkien.initiatives.models import (
    PENDING_UPLOAD_TTL_HOURS,
    Attachment,
    Initiative,
    PendingUpload,
)
from sangkien.initiatives.services import resubmit_initiative


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


def held_uploads(*, owner: Any, token: str) -> list[PendingUpload]:
    """The files ``owner`` chose on the form ``token`` and that are still held (oldest first)."""
    if not token or "\x00" in token or not getattr(owner, "is_authenticated", False):
        return []  # a NUL (never in our tokens) would make PostgreSQL refuse the query (500)
    oldest = now() - dt.timedelta(hours=PENDING_UPLOAD_TTL_HOURS)
    return list(PendingUpload.objects.filter(owner=owner, token=token, created_at__gte=oldest))


def hold_uploads(*, owner: Any, token: str, uploads: Iterable[UploadedFile], room: int) -> list[PendingUpload]:
    """Hold the acceptable files of ``uploads`` (at most ``room`` of them) for the form ``token``.

    Files that break a rule (:func:`upload_problem`) are not held: the form
    already says why.  Returns the new held files.
    """
    purge_expired_uploads()
    held: list[PendingUpload] = []
    with transaction.atomic():
        for upload in uploads:
            if len(held) >= room:
                break
            if not upload or upload_problem(upload.name, upload.size):
                continue
            item = PendingUpload(owner=owner, token=token[:64], original_name=upload.name[:255], size=upload.size)
            item.file.save(Path(upload.name).name, upload, save=False)
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
def opened(held: list[PendingUpload]) -> Iterator[list[File]]:
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
    *, initiative: Initiative, details: dict[str, Any], actor: Any,
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

"""Use cases of bulk entry: upload, check (preview), confirm and save, cancel.

The pipeline (pretix's ``modelimport``): :func:`create_import_job` stores the
file and its hash; :func:`check_job` reads every row, checks it, writes the
result workbook and keeps the checked rows (the preview);
:func:`confirm_job` records the officer's choice; :func:`save_job` re-checks
the checked rows against the database as it is now and saves them in **one
transaction** on PostgreSQL — a failure half-way saves nothing — or in
chunks of a few hundred milliseconds each on SQLite (see its docstring),
then writes the result workbook with the tracking codes.  Large files run as background tasks
(:mod:`sangkien.imports.tasks`).  The passes are in :mod:`sangkien.imports.passes`.

``ImportJob.report`` shape::

    {"errors": [{"row": 7, "cells": [{"column": "author_phone", "message": "…"}]}, …],
     "errors_truncated": false,
     "existing": [{"row": 9, "code": "SK-7F3K9QXM"}, …],
     "sample": [{"row": 4, "title": "…", "author": "…", "unit": "…", "benefit_vnd": 1500000}, …],
     "same_file": {"job": 3, "at": "2021-04-05T10:00:00+07:00", "status": "saved"} | null,
     "file_error": "…" (the whole file was refused)}
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.core.exceptions import DomainError, InvalidTransition, NotAllowed
from sangkien.core.models import log_action
from sangkien.imports import holds, progress
from sangkien.imports.models import FileFormat, ImportJob, JobStatus, SaveMode
from sangkien.imports.passes import (
    PassResult,
    SaveChunks,
    run_check,
    run_save,
    save_time_errors,
    write_result,
)
from sangkien.imports.reading import FileRefused
from sangkien.imports.saving import BulkWriter, history_reason
from sangkien.programmes.models import Programme
from sangkien.programmes.phases import open_phase_or_raise
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

logger = logging.getLogger(__name__)

#: Files estimated at no more rows than this are checked in the request itself.
INLINE_ROWS = 2000


class NothingSaved(Exception):
    """Raised inside the save transaction to roll it back (all-or-nothing mode found errors)."""


def file_format_of(name: str) -> str:
    """``"xlsx"`` or ``"csv"`` from a file name.

    :raises FileRefused: any other extension.
    """
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return FileFormat.XLSX
    if lowered.endswith(".csv"):
        return FileFormat.CSV
    if lowered.endswith(".xls"):
        raise FileRefused(_("Tệp .xls (Excel 97–2003) không được nhận: hãy mở tệp và lưu lại dưới dạng .xlsx."))
    raise FileRefused(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def _hash(upload: Any) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def create_import_job(*, upload: Any, name: str, programme: Programme, unit: Unit, actor: User | None,
                      source: str = "web") -> ImportJob:
    """Store an uploaded file as a new import for ``unit``'s subtree.

    ``upload`` is a binary file object (an ``UploadedFile`` or an open file).

    :raises NotAllowed: ``actor`` may not import for ``unit``.
    :raises SubmissionClosed: no phase of ``programme`` is open now.
    :raises FileRefused: not an .xlsx/.csv file, or larger than 60 MB.
    """
    if actor is not None and not actor.has_perm("imports.import_initiatives", unit):
        raise NotAllowed(_("Bạn không có quyền nhập sáng kiến cho đơn vị này."))
    phase = open_phase_or_raise(programme)
    file_format = file_format_of(name)
    sha256, size = _hash(upload)
    if size > settings.SANGKIEN_IMPORT_MAX_UPLOAD_BYTES:
        raise FileRefused(_("Tệp lớn hơn %(mb)d MB; hãy chia thành nhiều tệp.")
                          % {"mb": settings.SANGKIEN_IMPORT_MAX_UPLOAD_BYTES >> 20})
    if size == 0:
        raise FileRefused(_("Tệp rỗng."))
    previous = (ImportJob.objects.filter(programme=programme, unit=unit, file_sha256=sha256)
                .exclude(status__in=[JobStatus.CANCELLED, JobStatus.FAILED]).order_by("-created_at").first())
    job = ImportJob(programme=programme, phase=phase, unit=unit, source=source,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    original_name=Path(name).name[:255], file_format=file_format, file_size=size,
                    file_sha256=sha256)
    if previous is not None:
        job.report = {"same_file": {"job": previous.pk, "at": previous.created_at.isoformat(),
                                    "status": previous.status}}
    safe_name = "upload." + file_format
    job.file.save(safe_name, File(upload, name=safe_name), save=False)
    job.save()
    log_action(actor=actor, action="import.uploaded", obj=job, unit=unit, file=job.original_name,
               sha256=sha256, size=size, programme=programme.slug)
    return job


def _result_name(job: ImportJob) -> str:
    stem = Path(job.original_name).stem[:80] or "tep"
    return f"{stem}-ket-qua.{job.file_format}"


def result_name(job: ImportJob) -> str:
    """The download name of the result workbook: ``<uploaded name>-ket-qua.xlsx``."""
    return _result_name(job)


def _store(field: Any, name: str, path: Path) -> None:
    if field:
        field.delete(save=False)
    with path.open("rb") as fh:
        field.save(name, File(fh), save=False)


def _apply(job: ImportJob, result: PassResult) -> None:
    job.rows_total = result.rows
    job.rows_valid = result.valid
    job.rows_invalid = result.invalid
    job.rows_existing = len(result.existing)
    same_file = (job.report or {}).get("same_file")
    job.report = result.report() | {"same_file": same_file}


def _refuse(job: ImportJob, message: str) -> None:
    job.status = JobStatus.REJECTED
    job.message = message
    job.finished_at = now()
    job.report = (job.report or {}) | {"file_error": message}
    job.save()
    progress.clear(job.pk)


def _fail(job: ImportJob, message: str, *, keep_saved: bool = False) -> None:
    job.status = JobStatus.FAILED
    if not keep_saved:
        job.rows_saved = 0
    job.finished_at = now()
    job.message = message
    job.save()
    progress.clear(job.pk)


def check_job(job_id: int) -> ImportJob:
    """First pass: check every row, keep the report, the result workbook and the
    checked rows.  Leaves the job ``checked`` (the preview), ``rejected`` when
    the file cannot be read at all, ``failed`` on an unexpected error (logged),
    ``held`` when saving it would be larger than plausible for the unit
    (:mod:`sangkien.imports.holds`)."""
    job = ImportJob.objects.select_related("programme", "phase", "unit").get(pk=job_id)
    if job.status not in (JobStatus.QUEUED, JobStatus.CHECKING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        result_path, staged_path = Path(tmp) / _result_name(job), Path(tmp) / "rows.jsonl"
        try:
            result = run_check(job, result_path=result_path, staged_path=staged_path)
        except FileRefused as exc:
            _refuse(job, exc.message)
            return job
        except Exception:
            logger.exception("import %s failed while checking", job.pk)
            _fail(job, _("Lỗi hệ thống khi kiểm tra tệp. Hãy thử lại hoặc báo cho quản trị."))
            return job
        _store(job.result_file, _result_name(job), result_path)
        _store(job.rows_file, "rows.jsonl", staged_path)
    _apply(job, result)
    job.report["durations"] = {"check_s": round(time.monotonic() - started, 2)}
    job.status = JobStatus.CHECKED
    job.message = ""
    held = holds.assess_job(job, new_rows=result.valid, existing_rows=set(result.existing), authors=result.new_authors)
    if held is not None:
        holds.hold(job, held)  # larger than plausible for the unit: an officer above confirms (issue 9 item 8)
    job.save()
    progress.clear(job.pk)
    return job


def confirm_job(*, job: ImportJob, mode: str, actor: User | None) -> ImportJob:
    """The officer chose how to save: ``mode`` is a :class:`SaveMode` value.

    :raises NotAllowed: ``actor`` may not import for the job's unit.
    :raises InvalidTransition: the job is not waiting for confirmation, or
        all-or-nothing was chosen for a file that still has errors.
    """
    if actor is not None and not actor.has_perm("imports.import_initiatives", job.unit):
        raise NotAllowed(_("Bạn không có quyền nhập sáng kiến cho đơn vị này."))
    if mode not in SaveMode.values:
        raise InvalidTransition(_("Hãy chọn cách lưu."))
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.CHECKED:
            raise InvalidTransition(_("Lần nhập này không còn chờ xác nhận (trạng thái: %(status)s).") % {
                "status": locked.get_status_display()})
        if mode == SaveMode.ALL_OR_NOTHING and locked.rows_invalid:
            raise InvalidTransition(_("Tệp còn %(n)d dòng lỗi: hãy sửa rồi tải lên lại, hoặc chọn chỉ lưu các dòng "
                                      "hợp lệ.") % {"n": locked.rows_invalid})
        locked.mode = mode
        locked.status = JobStatus.SAVING
        locked.save(update_fields=["mode", "status"])
    job.refresh_from_db()
    return job


#: Rows of the first write transaction when saving on SQLite, and the fewest of any (see :func:`save_job`).
SQLITE_CHUNK_ROWS = 50
#: How long each write transaction holds SQLite's lock, the rows of the next one following from the pace
#: of the last; at most :data:`SQLITE_CHUNK_MAX_ROWS` rows (issue 12: 50 rows a chunk spent most of a
#: 100,000-row save on commits and per-chunk look-ups).
SQLITE_CHUNK_SECONDS = 0.2
SQLITE_CHUNK_MAX_ROWS = 1000


#: SQLite's page cache for the connection saving an import (KiB; SQLite's default is 2,000): the chunks
#: write into indexes that grow by hundreds of thousands of rows, whose pages a small cache reads again
#: and again (issue 12, round 4: about a seventh of the save's CPU on 20,000 rows).
SQLITE_SAVE_CACHE_KIB = 65536


def saves_in_chunks() -> bool:
    """Whether imports commit chunk by chunk: on SQLite, whose one write lock
    would otherwise keep every member's submission waiting for the whole save.
    PostgreSQL locks rows, not the database, and keeps the one transaction."""
    return connection.vendor == "sqlite"


def _chunks(job: ImportJob) -> SaveChunks:
    @contextmanager
    def chunk() -> Iterator[Callable[[int], None]]:
        with transaction.atomic():
            def record(n: int) -> None:  # progress committed with the rows themselves
                if n:
                    ImportJob.objects.filter(pk=job.pk).update(rows_saved=F("rows_saved") + n)
            yield record
    return SaveChunks(rows=SQLITE_CHUNK_ROWS, open=chunk, seconds=SQLITE_CHUNK_SECONDS,
                      max_rows=SQLITE_CHUNK_MAX_ROWS)


@contextmanager
def _page_cache(kib: int) -> Iterator[None]:
    """SQLite's page cache of this connection at ``kib`` KiB while inside, as it was after (another
    database: nothing)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _saved(job: ImportJob, result: PassResult, *, phase: Any, chunked: bool, started: float, actor: User | None,
           mode: str) -> None:
    """Record the finished save on the job, with its audit row (one transaction)."""
    with transaction.atomic():
        job.phase = phase
        job.rows_saved = (ImportJob.objects.filter(pk=job.pk).values_list("rows_saved", flat=True).get()
                          if chunked else len(result.saved))
        job.rows_valid = result.valid
        job.rows_existing = len(result.existing)
        job.rows_invalid = result.invalid
        durations = (job.report or {}).get("durations", {}) | {"save_s": round(time.monotonic() - started, 2)}
        job.report = (job.report or {}) | {
            "existing": PassResult(existing=result.existing).report()["existing"], "durations": durations}
        job.status = JobStatus.SAVED
        job.finished_at = now()
        job.message = ""
        job.save()
        log_action(actor=actor, action="import.saved", obj=job, unit=job.unit, mode=mode,
                   rows=result.rows, saved=len(result.saved), rejected=result.invalid,
                   existing=len(result.existing), file=job.original_name, sha256=job.file_sha256)


def save_job(job_id: int, *, actor: User | None = None) -> ImportJob:
    """Second pass: re-check the checked rows and save them, then write the
    result workbook with the tracking codes.

    On PostgreSQL the rows are saved in **one transaction**: a failure
    half-way saves nothing.  On SQLite they are saved in transactions of
    about :data:`SQLITE_CHUNK_SECONDS` each (:data:`SQLITE_CHUNK_ROWS` rows
    first, then as many as the last one saved in that time; each holds the
    database's write lock for a fraction of a second, so members' submissions are not refused during
    a large import — issue 9 item 6); every chunk adds its rows to
    ``rows_saved`` in the same transaction.  A failure half-way leaves the
    chunks already committed, the job ``failed`` with ``rows_saved`` and a
    message saying so; uploading the same file again saves the rest, the
    rows already saved being recognised as "already in the system"
    (``rows_existing``).  A save interrupted without an exception (the
    process killed) leaves the job ``saving``: running this function again
    continues the same way.

    In all-or-nothing mode a row found bad now (a unit retired since the
    preview) saves nothing and leaves the job ``rejected`` (checked before
    the first chunk when saving in chunks).  Any other failure is logged
    with its traceback and leaves the job ``failed`` (never raised: the
    officer reads the job's message).
    """
    job = ImportJob.objects.select_related("programme", "phase", "unit", "created_by").get(pk=job_id)
    if job.status != JobStatus.SAVING:
        return job
    actor = actor or job.created_by
    try:
        phase = open_phase_or_raise(job.programme)
    except DomainError as exc:
        _refuse(job, exc.message)
        return job
    mode = job.mode or SaveMode.ALL_OR_NOTHING
    checked_errors = job.rows_invalid
    started = time.monotonic()
    chunked = saves_in_chunks()
    result = PassResult()
    try:
        if chunked and mode == SaveMode.ALL_OR_NOTHING:
            result.errors = save_time_errors(job)
            if result.errors:
                raise NothingSaved
        with transaction.atomic() if not chunked else _page_cache(SQLITE_SAVE_CACHE_KIB):
            if not chunked:  # one import at a time (SQLite's IMMEDIATE chunks queue one after another)
                Programme.objects.select_for_update().filter(pk=job.programme_id).first()
            writer = BulkWriter(programme=job.programme, phase=phase, actor=actor,
                                reason=history_reason(job_id=job.pk, actor=actor), scope=job.unit)
            result = run_save(job, writer=writer, mode=mode, chunks=_chunks(job) if chunked else None)
            if mode == SaveMode.ALL_OR_NOTHING and result.errors:
                raise NothingSaved
            _saved(job, result, phase=phase, chunked=chunked, started=started, actor=actor, mode=mode)
    except NothingSaved:
        job.refresh_from_db()
        new_errors = {n: e for n, e in result.errors.items() if e and e[0].column}
        job.rows_invalid = checked_errors + len(new_errors)
        _refuse(job, _("Có dòng vừa trở thành lỗi (đơn vị đã giải thể hoặc sáp nhập) nên không lưu dòng nào. "
                       "Hãy tải tệp kết quả, sửa rồi tải lên lại."))
        _write_result(job, saved={}, existing=result.existing, new_errors=new_errors)
        return job
    except Exception:
        logger.exception("import %s failed while saving", job.pk)
        job.refresh_from_db()
        if chunked and job.rows_saved:
            _fail(job, _("Lỗi hệ thống khi lưu: %(n)d dòng đã được lưu trước khi lỗi. Hãy tải lên lại cùng tệp: "
                         "các dòng đã lưu sẽ được nhận ra là “đã có” và không lưu lại.") % {"n": job.rows_saved},
                  keep_saved=True)
        else:
            _fail(job, _("Lỗi hệ thống khi lưu: không dòng nào được lưu. Hãy thử lại hoặc báo cho quản trị."))
        return job
    new_errors = {n: e for n, e in result.errors.items() if e and e[0].column}
    del writer  # its people (one key per author of the file) are not needed for the result workbook
    _write_result(job, saved=result.saved, existing=result.existing, new_errors=new_errors)
    progress.clear(job.pk)
    return job


def _write_result(job: ImportJob, **data: Any) -> None:
    """The result workbook with codes, written after the commit (outside the lock)."""
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / _result_name(job)
            write_result(job, result_path=path, **data)
            _store(job.result_file, _result_name(job), path)
        job.report.setdefault("durations", {})["result_file_s"] = round(time.monotonic() - started, 2)
        job.save(update_fields=["result_file", "report"])
    except Exception:  # the rows are saved; the previous result file stays
        logger.exception("import %s: result workbook not written", job.pk)


def cancel_job(*, job: ImportJob, actor: User | None) -> ImportJob:
    """Drop a checked (or held) import without saving.

    :raises InvalidTransition: it is saving or already finished.
    """
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (JobStatus.QUEUED, JobStatus.CHECKED, JobStatus.HELD):
            raise InvalidTransition(_("Không thể huỷ lần nhập ở trạng thái “%(status)s”.") % {
                "status": locked.get_status_display()})
        locked.status = JobStatus.CANCELLED
        locked.finished_at = now()
        locked.save(update_fields=["status", "finished_at"])
        log_action(actor=actor, action="import.cancelled", obj=locked, unit=locked.unit)
    job.refresh_from_db()
    return job

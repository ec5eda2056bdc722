"""Retention: personal data is kept only as long as its purpose needs (Law 91/2025/QH15;
Decree 13/2023/NĐ-CP, art. 2 and 3: storage limited in time), then deleted.

One entry point, :func:`purge_personal_data` (``manage.py purge_personal_data``, run
hourly from cron or a systemd timer: docs/privacy.md), deletes what is older than its
period.  Periods come from settings (``SANGKIEN_RETENTION_*``, in days; docs/configuration.md):

==========================  ==============================================  =======
what                        setting                                         default
==========================  ==============================================  =======
access-log rows             ``SANGKIEN_RETENTION_ACCESS_LOG_DAYS``           730
audit, export, import logs  ``SANGKIEN_RETENTION_AUDIT_DAYS``                1825
import files, staged rows   ``SANGKIEN_RETENTION_IMPORT_FILES_DAYS``         30
sign-in attempts (axes)     ``SANGKIEN_RETENTION_LOGIN_ATTEMPTS_DAYS``       90
texted codes (SMS outbox)   ``SANGKIEN_RETENTION_SMS_DAYS``                  1
export files                ``SANGKIEN_EXPORT_RETENTION_HOURS`` (hours)      24
held uploads                ``PENDING_UPLOAD_TTL_HOURS`` (hours, code)       24
==========================  ==============================================  =======

Sessions (which hold the one-time codes of a phone check or a reset in progress) are
deleted when they expire (Django's ``clear_expired``).  Every deletion runs in bounded
batches, so a first run on a large site neither holds a long lock nor loads every row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models, transaction

from sangkien.core.clock import now

BATCH = 5000
#: Batches per kind and run, at most (a run is bounded; the next run goes on).
MAX_BATCHES = 200

DEFAULT_DAYS = {
    "ACCESS_LOG": 730,
    "AUDIT": 1825,
    "IMPORT_FILES": 30,
    "LOGIN_ATTEMPTS": 90,
    "SMS": 1,
}


def retention(kind: str) -> dt.timedelta:
    """The retention period of ``kind`` (a key of :data:`DEFAULT_DAYS`) from
    ``SANGKIEN_RETENTION_<KIND>_DAYS``.

    :raises KeyError: unknown ``kind``.
    :raises ValueError: the setting is not a positive number of days.
    """
    days = float(getattr(settings, f"SANGKIEN_RETENTION_{kind}_DAYS", DEFAULT_DAYS[kind]))
    if days <= 0:
        raise ValueError(f"SANGKIEN_RETENTION_{kind}_DAYS must be positive, not {days}")
    return dt.timedelta(days=days)


def _delete_in_batches(queryset: models.QuerySet[Any]) -> int:
    """Delete ``queryset``'s rows, :data:`BATCH` primary keys at a time; returns how many rows."""
    total = 0
    model = queryset.model
    for _batch in range(MAX_BATCHES):
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not pks:
            break
        with transaction.atomic():
            model._base_manager.filter(pk__in=pks).delete()
        total += len(pks)
        if len(pks) < BATCH:
            break
    return total


def _delete_files(names: list[tuple[Storage, str]]) -> None:
    """Delete each ``(storage, name)`` (after the commit that forgot them)."""
    for storage, name in names:
        storage.delete(name)


def _purge_import_files(cutoff: dt.datetime) -> int:
    """Delete the uploaded file, the staged rows and the result file of imports finished before
    ``cutoff``, and empty their report (sample rows, row errors); the job's log line stays."""
    from sangkien.imports.models import ImportJob, JobStatus

    finished = [JobStatus.SAVED, JobStatus.REJECTED, JobStatus.CANCELLED, JobStatus.FAILED]
    stale = (ImportJob.objects.filter(created_at__lt=cutoff, status__in=finished)
             .exclude(file="", rows_file="", result_file=""))
    total = 0
    for _batch in range(MAX_BATCHES):
        jobs = list(stale.order_by("pk")[:500])
        if not jobs:
            break
        names = [(f.storage, f.name) for job in jobs for f in (job.file, job.rows_file, job.result_file) if f]
        with transaction.atomic():
            ImportJob.objects.filter(pk__in=[j.pk for j in jobs]).update(
                file="", rows_file="", result_file="", report={})
            transaction.on_commit(functools.partial(_delete_files, names))
        total += len(jobs)
    return total


def _purge_sms_outbox(cutoff: dt.datetime) -> int:
    """Delete texted messages (codes) older than ``cutoff`` that the file SMS backend wrote."""
    folder = Path(getattr(settings, "SANGKIEN_SMS_FILE_PATH", "") or "")
    if not str(folder) or not folder.is_dir():
        return 0
    deleted = 0
    for path in sorted(folder.glob("*.json"))[: BATCH * MAX_BATCHES]:
        if dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _clear_expired_sessions() -> int:
    """Delete expired sessions (and the one-time codes they held); the count when the store tells it."""
    store: Any = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class() if hasattr(store, "get_model_class") else None
    expired = model.objects.filter(expire_date__lt=now()).count() if model else 0
    store.clear_expired()
    return expired


def _repeat(purge: Callable[..., int], limit: int = 500) -> int:
    """Call ``purge(limit=limit)`` until it deletes fewer than ``limit`` (at most :data:`MAX_BATCHES` times)."""
    total = 0
    for _batch in range(MAX_BATCHES):
        count = purge(limit=limit)
        total += count
        if count < limit:
            break
    return total


def purge_personal_data(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Delete every kind of personal data past its retention at ``at`` (default: now).

    Returns ``{kind: rows or files deleted}``.  Idempotent; each kind is bounded per run
    (:data:`MAX_BATCHES` × :data:`BATCH`).
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from sangkien.accesslog.models import PersonalDataAccess
    from sangkien.core.models import AuditEntry
    from sangkien.imports.models import ExportRecord, ExportStatus, ImportJob
    from sangkien.initiatives.attachments import purge_expired_uploads
    from sangkien.reports.exports import purge_expired_exports

    at = at or now()
    audit_cutoff = at - retention("AUDIT")
    logins_cutoff = at - retention("LOGIN_ATTEMPTS")
    steps: dict[str, Callable[[], int]] = {
        "access_log": lambda: _delete_in_batches(
            PersonalDataAccess.objects.filter(at__lt=at - retention("ACCESS_LOG"))),
        "audit_log": lambda: _delete_in_batches(AuditEntry.objects.filter(at__lt=audit_cutoff)),
        "export_log": lambda: _delete_in_batches(
            ExportRecord.objects.filter(created_at__lt=audit_cutoff).exclude(status=ExportStatus.RUNNING)),
        "export_files": lambda: _repeat(purge_expired_exports),
        "import_files": lambda: _purge_import_files(at - retention("IMPORT_FILES")),
        "import_log": lambda: _delete_in_batches(
            ImportJob.objects.filter(created_at__lt=min(audit_cutoff, at - retention("IMPORT_FILES")),
                                     file="", rows_file="", result_file="")),
        "held_uploads": lambda: _repeat(purge_expired_uploads),
        "login_attempts": lambda: sum(_delete_in_batches(model.objects.filter(attempt_time__lt=logins_cutoff))
                                      for model in (AccessAttempt, AccessFailureLog, AccessLog)),
        "sms_outbox": lambda: _purge_sms_outbox(at - retention("SMS")),
        "expired_sessions": _clear_expired_sessions,
    }
    return {name: step() for name, step in steps.items()}

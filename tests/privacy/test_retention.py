"""``manage.py purge_personal_data`` deletes what is past its retention, and only that."""

from __future__ import annotations

import datetime as dt
import json
import os
from io import StringIO

import pytest
from axes.models import AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command

from sangkien.accesslog.models import AccessKind, PersonalDataAccess
from sangkien.core.clock import now
from sangkien.core.models import AuditEntry
from sangkien.imports.models import ExportRecord, ExportStatus, ImportJob, JobStatus
from sangkien.initiatives.models import PendingUpload
from sangkien.privacy.retention import retention

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _import_job(people, created_at, name):
    job = ImportJob.objects.create(
        programme=people["phase"].programme, unit=people["tree"]["d1"], created_by=people["reviewer"],
        file=ContentFile(b"ho ten,so dien thoai\n", name=f"{name}.csv"), original_name=f"{name}.csv",
        file_format="csv", file_sha256=name * 4, status=JobStatus.SAVED, report={"sample": [["Hoa", "0912"]]},
        rows_file=ContentFile(b"{}\n", name=f"{name}.jsonl"), result_file=ContentFile(b"x", name=f"{name}-r.csv"))
    ImportJob.objects.filter(pk=job.pk).update(created_at=created_at)
    return job


def test_purge_deletes_only_what_is_old(people, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.SANGKIEN_SMS_FILE_PATH = str(tmp_path / "sms")
    at = now()
    old_access, new_access = (
        PersonalDataAccess.objects.create(actor=people["reviewer"], kind=AccessKind.INITIATIVE_VIEW,
                                          initiative=people["initiative"], at=when)
        for when in (at - retention("ACCESS_LOG") - DAY, at - retention("ACCESS_LOG") + DAY))
    old_audit, new_audit = (AuditEntry.objects.create(action="x", object_type="t", object_id="1", at=when)
                            for when in (at - retention("AUDIT") - DAY, at - DAY))
    old_export, new_export = (
        ExportRecord.objects.create(user=people["reviewer"], unit=people["tree"]["d1"],
                                    programme=people["phase"].programme, kind="initiatives", file_format="csv",
                                    status=ExportStatus.EXPIRED, created_at=when)
        for when in (at - retention("AUDIT") - DAY, at - 2 * DAY))
    old_job = _import_job(people, at - retention("IMPORT_FILES") - DAY, "old")
    new_job = _import_job(people, at - retention("IMPORT_FILES") + DAY, "new")
    old_job_files = [old_job.file.path, old_job.rows_file.path, old_job.result_file.path]
    ancient_job = _import_job(people, at - retention("AUDIT") - DAY, "ancient")
    old_upload, new_upload = (
        PendingUpload.objects.create(owner=people["member"], token="t", file=ContentFile(b"%PDF", name=n),
                                     original_name=n, size=4, created_at=when)
        for n, when in (("old.pdf", at - 2 * DAY), ("new.pdf", at - dt.timedelta(hours=1))))
    for name in ("old", "new"):
        AccessLog.objects.create(username="hoa@example.vn", ip_address="127.0.0.1", user_agent=name)
    AccessLog.objects.filter(user_agent="old").update(attempt_time=at - retention("LOGIN_ATTEMPTS") - DAY)
    outbox = tmp_path / "sms"
    outbox.mkdir()
    for name, age in (("old", 2 * DAY), ("new", dt.timedelta(minutes=5))):
        path = outbox / f"{name}.json"
        path.write_text(json.dumps({"to": "+84912345678", "text": "Ma 123456"}))
        stamp = (at - age).timestamp()
        os.utime(path, (stamp, stamp))
    expired, live = SessionStore(), SessionStore()
    for store, expiry in ((expired, -60), (live, 3600)):
        store["code"] = "123456"
        store.set_expiry(expiry)
        store.create()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion is committed
        call_command("purge_personal_data", stdout=out)

    assert list(PersonalDataAccess.objects.all()) == [new_access]
    assert not AuditEntry.objects.filter(pk=old_audit.pk).exists()
    assert AuditEntry.objects.filter(pk=new_audit.pk).exists()
    assert list(ExportRecord.objects.all()) == [new_export]
    old_job.refresh_from_db()
    new_job.refresh_from_db()
    assert (old_job.file.name, old_job.rows_file.name, old_job.result_file.name, old_job.report) == ("", "", "", {})
    assert not any(os.path.exists(p) for p in old_job_files)
    assert new_job.file and new_job.rows_file and new_job.result_file and new_job.report
    assert not ImportJob.objects.filter(pk=ancient_job.pk).exists()  # its log line too, past the audit period
    assert os.path.exists(new_job.file.path)
    assert list(PendingUpload.objects.all()) == [new_upload]
    assert not os.path.exists(old_upload.file.path) and os.path.exists(new_upload.file.path)
    assert list(AccessLog.objects.values_list("user_agent", flat=True)) == ["new"]
    assert sorted(p.name for p in outbox.iterdir()) == ["new.json"]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert "access_log: 1" in out.getvalue() and "import_files: 2" in out.getvalue()
    del old_access, old_export, old_upload

    again = StringIO()
    call_command("purge_personal_data", stdout=again)  # idempotent: nothing more to delete
    assert all(line.endswith(": 0") for line in again.getvalue().splitlines()), again.getvalue()


def test_retention_comes_from_settings(settings):
    settings.SANGKIEN_RETENTION_ACCESS_LOG_DAYS = 30
    assert retention("ACCESS_LOG") == dt.timedelta(days=30)
    settings.SANGKIEN_RETENTION_ACCESS_LOG_DAYS = 0
    with pytest.raises(ValueError, match="must be positive"):
        retention("ACCESS_LOG")

"""Issue 9.5: an export is downloadable only while its maker holds the role that allowed it,
and only until it expires; then its file is deleted (the log record stays)."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from sangkien.core.clock import now
from sangkien.imports.models import ExportRecord, ExportStatus
from sangkien.reports import exports
from sangkien.roles.models import Role, RoleAssignment
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant
from tests.http import close_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(client, tree, phase, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """A background XLSX export with phone numbers, made by a district reviewer."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(exports, "INLINE_XLSX_ROWS", 0)
    InitiativeFactory(phase=phase, unit=tree["g11"], author=PersonFactory(phone="+84912345678"))
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    url = (reverse("reports:export", args=[phase.programme.slug, tree["d1"].code])
           + "?tai=initiatives.xlsx&ca_nhan=on&muc_dich=contact")  # phones asked for, with a purpose
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.DONE and record.file and record.personal_data
    return officer, record


def download(client, record):
    """The download's response, its file already read and closed."""
    response = client.get(reverse("reports:export_file", args=[record.pk]))
    if response.streaming:
        b"".join(response.streaming_content)
    close_response(response)
    return response


def test_revoking_the_role_stops_the_download(client, built):
    officer, record = built
    assert download(client, record).status_code == 200
    RoleAssignment.objects.filter(user=officer).delete()
    assert download(client, record).status_code == 404


def test_a_narrowed_role_without_personal_data_stops_it_too(client, built, tree):
    officer, record = built
    RoleAssignment.objects.filter(user=officer).delete()
    grant(officer, tree["g12"], Role.REVIEWER)  # a role still, but not over the export's unit
    assert download(client, record).status_code == 404


def test_exports_expire_and_their_files_are_deleted(client, built, settings):
    officer, record = built
    settings.SANGKIEN_EXPORT_RETENTION_HOURS = 24
    path = record.file.path
    with time_machine.travel(now() + dt.timedelta(hours=25)):
        client.force_login(officer)  # the next day: signed in again (sessions end after 12 hours)
        response = download(client, record)
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:export_record", args=[record.pk])
        page = client.get(response["Location"]).content.decode()
        assert "hết hạn" in page and reverse("reports:export_file", args=[record.pk]) not in page
        call_command("purge_exports", stdout=io.StringIO())
    record.refresh_from_db()
    assert record.status == ExportStatus.EXPIRED and not record.file
    assert not os.path.exists(path)
    assert download(client, record).status_code == 302  # still the record page, never the file


def test_a_fresh_export_is_still_there_before_the_limit(client, built, settings):
    officer, record = built
    settings.SANGKIEN_EXPORT_RETENTION_HOURS = 24
    with time_machine.travel(now() + dt.timedelta(hours=23)):
        client.force_login(officer)  # signed in again (sessions end after 12 hours)
        assert exports.purge_expired_exports() == 0
        assert download(client, record).status_code == 200

"""A small world whose user data is ASCII only (units, programme, people, initiatives).

Any Vietnamese letter on a page of this world, outside an element marked
``lang="vi"``, is therefore interface text: in English it must not be there.
"""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from sangkien.core.clock import local_datetime
from sangkien.duplicates import services as duplicate_services
from sangkien.initiatives import services
from sangkien.initiatives.models import Attachment, Status
from sangkien.programmes.models import Field
from sangkien.reports import exports
from sangkien.roles.models import Role
from sangkien.units.models import UnitKind
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    PhaseFactory,
    ProgrammeFactory,
    UserFactory,
    grant,
    make_unit,
)

PASSWORD = "mat-khau-dai-123"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_and_unthrottled(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    settings.ACCOUNT_RATE_LIMITS = False  # each form is posted in both languages; the 429 page has its own test


@pytest.fixture
def frozen():
    """5/4/2021 10:00 local: inside the phase window."""
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        yield


def csv_upload(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    """An officer's CSV in the template's columns (English headers work as well as Vietnamese)."""
    from sangkien.imports.columns import COLUMNS

    out = io.StringIO()
    out.write(",".join(c.key for c in COLUMNS) + "\n")
    for row in rows:
        out.write(",".join(f'"{row.get(c.key, "")}"' for c in COLUMNS) + "\n")
    return SimpleUploadedFile("initiatives.csv", out.getvalue().encode("utf-8"), content_type="text/csv")


@pytest.fixture
def world(db, frozen, client, monkeypatch, django_capture_on_commit_callbacks):
    """TLD → LDLD tinh Ninh Binh (37) → LDLD huyen Yen Khanh (375) → two CDCS; every role; initiatives.

    Returns a dict: units (``root``, ``province``, ``district``, ``school``,
    ``factory``), ``programme``, ``phase``, users (``member``, ``committee``,
    ``unit_admin``, ``superuser``), initiatives (``mine`` returned to its
    member, ``approved``, ``copy`` marked as duplicate of ``approved``),
    ``attachment``, ``job`` (a checked import with errors), ``saved_job``, ``export`` (a finished export).
    """
    root = make_unit(code="TLD", name="Tong Lien doan Lao dong Viet Nam", kind=UnitKind.NATIONAL)
    province = make_unit(root, code="37", name="LDLD tinh Ninh Binh", kind=UnitKind.PROVINCIAL_FEDERATION)
    district = make_unit(province, code="375", name="LDLD huyen Yen Khanh", kind=UnitKind.DISTRICT_FEDERATION)
    school = make_unit(district, code="375-0001", name="CDCS Truong THCS Khanh Hoi", member_count=40)
    factory = make_unit(district, code="375-0002", name="CDCS Cong ty May Yen Khanh", member_count=900)
    for unit in (root, province, district, school, factory):
        unit.refresh_from_db()
    Field.objects.create(code="san-xuat", name="Production and business", position=1)
    programme = ProgrammeFactory(slug="75-nghin-2021", name="75 thousand initiatives 2021", organiser=root,
                                 description="Overcoming difficulties, developing.")
    phase = PhaseFactory(programme=programme, number=1)

    member = UserFactory(username="member", full_name="Nguyen Van An", email="an@example.vn",
                         phone="+84912000001")
    committee = UserFactory(username="committee", full_name="Ban To Chuc", email="btc@example.vn")
    grant(committee, root, Role.ORGANISING_COMMITTEE)
    unit_admin = UserFactory(username="unitadmin", full_name="Tran Thi Binh", email="admin37@example.vn")
    grant(unit_admin, province, Role.UNIT_ADMIN)
    superuser = UserFactory(username="root", full_name="Site Admin", email="root@example.vn",
                            is_staff=True, is_superuser=True)

    author = PersonFactory(full_name="Nguyen Van An", phone="+84912000001", email="an@example.vn",
                           job="Machine operator", workplace="Workshop 2", user=member)
    mine = InitiativeFactory(phase=phase, unit=school, title="Homework tracker on the phone",
                             description="<p>Teachers share a spreadsheet.</p><ul><li>Parents read it.</li></ul>",
                             effect_summary="Saves time.", submitted_by=member, author=author)
    approved = InitiativeFactory(phase=phase, unit=factory, title="Faster collar clamp",
                                 description="<p>An aluminium clamp holds the collar while sewing.</p>",
                                 author=PersonFactory(full_name="Le Thi Cuc", phone="+84912000002"))
    copy = InitiativeFactory(phase=phase, unit=factory, title="Faster collar clamp again",
                             description="<p>An aluminium clamp holds the collar while sewing.</p>",
                             author=PersonFactory(full_name="Pham Van Dung", phone="+84912000003"))
    # Texts the services store (history notes, import errors) stay in the language of whoever acted:
    # here an English-speaking committee member (see docs/i18n.md, "Stored texts").
    with translation.override("en"):
        services.review_initiative(initiative=mine, decision=Status.RETURNED, reason="Please add the benefit.",
                                   actor=committee)
        services.review_initiative(initiative=approved, decision=Status.APPROVED, reason="", actor=committee)
        duplicate_services.mark_duplicate(initiative=copy, original=approved, reason="Same clamp.", actor=committee)
    attachment = Attachment.objects.create(
        initiative=mine, file=SimpleUploadedFile("plan.txt", b"plan"), original_name="plan.txt", size=4)

    client.force_login(committee)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("imports:upload", args=["375", programme.slug]), {"file": csv_upload([
        {"author_full_name": "Hoang Van Em", "author_phone": "0912 000 004", "unit": "375-0002",
         "sector_block": "enterprise", "title": "Safer cutting table", "description": "A guard rail.",
         "benefit_vnd": "1500000"},
        {"author_full_name": "Vu Thi Giang", "unit": "375-0002", "sector_block": "enterprise",
         "title": "", "description": "No phone and no title."},
    ])})
    assert response.status_code == 302, response
    from sangkien.imports.models import ExportRecord, ImportJob

    job = ImportJob.objects.get()
    # a second import, saved: its page shows the result instead of the preview
    response = client.post(reverse("imports:upload", args=["375", programme.slug]), {"file": csv_upload([
        {"author_full_name": "Dang Van Hung", "author_phone": "0912 000 005", "unit": "375-0001",
         "sector_block": "public", "title": "Shared lesson plans", "description": "One folder per subject.",
         "is_trade_secret": "yes"}])})
    saved_job = ImportJob.objects.latest("pk")
    client.post(reverse("imports:job", args=[saved_job.pk]), {"mode": "valid"})
    saved_job.refresh_from_db()
    assert saved_job.rows_saved == 1, saved_job.status
    monkeypatch.setattr(exports, "INLINE_XLSX_ROWS", 0)  # built by the background task, kept as a file
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:export", args=[programme.slug, "37"]) + "?tai=initiatives.xlsx")
    export = ExportRecord.objects.get()
    assert export.file, export.status
    monkeypatch.undo()
    client.logout()
    return {
        "root": root, "province": province, "district": district, "school": school, "factory": factory,
        "programme": programme, "phase": phase, "member": member, "committee": committee,
        "unit_admin": unit_admin, "superuser": superuser, "mine": mine, "approved": approved, "copy": copy,
        "attachment": attachment, "job": job, "saved_job": saved_job, "export": export,
    }

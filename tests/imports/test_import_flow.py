"""Upload → check → preview → confirm → save, through the pages; re-uploads never double."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from sangkien.core.models import AuditEntry
from sangkien.imports import passes, services
from sangkien.imports.models import ImportJob, JobStatus
from sangkien.initiatives import bulk
from sangkien.initiatives.models import Authorship, Initiative, Person, Status, StatusChange
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, UserFactory, grant
from tests.imports.conftest import csv_file, row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_real_insert_rows = bulk.insert_rows


def upload_url(unit, programme):
    return reverse("imports:upload", args=[unit.code, programme.slug])


def upload(client, unit, phase, rows, *, name="tong-hop.xlsx", data=None):
    data = data if data is not None else xlsx_file(rows, programme=phase.programme, phase=phase, scope=unit)
    response = client.post(upload_url(unit, phase.programme), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def confirm(client, job, mode):
    return client.post(reverse("imports:job", args=[job.pk]), {"mode": mode}, follow=True)


def test_officer_downloads_the_template_uploads_previews_and_saves(signed_in, officer, tree, phase):
    template = signed_in.get(reverse("imports:template", args=["375", phase.programme.slug]))
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    rows = [row(co_authors="Trần Văn Bình, 0987 654 321; Lê Thị Cúc"), row(author_phone="0912 34"), row()]
    job = upload(signed_in, tree["d1"], phase, rows)
    page = signed_in.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Dòng 7" in page and "Số điện thoại" in page and "Số điện thoại không hợp lệ" in page
    assert "Lưu 2 dòng hợp lệ, bỏ qua dòng lỗi" in page
    assert "Cải tiến gá kẹp cổ áo" in page  # the sample of valid rows
    assert Initiative.objects.count() == 0

    done = confirm(signed_in, job, "valid")
    job.refresh_from_db()
    assert job.status == JobStatus.SAVED and job.rows_saved == 2
    assert "Đã lưu 2 sáng kiến" in done.content.decode()
    first = Initiative.objects.get(title=rows[0]["title"])
    assert first.unit == tree["g12"] and first.phase == phase and first.benefit_vnd == 1_500_000
    assert first.status == Status.SUBMITTED and first.entered_by == officer and first.submitted_by is None
    assert first.description == "<p>Thiết kế gá kẹp bằng nhôm.</p><p>Giữ cổ áo cố định khi may.</p>"
    assert [a.person.full_name for a in first.authorships.select_related("person")] == [
        rows[0]["author_full_name"], "Trần Văn Bình", "Lê Thị Cúc"]
    history = StatusChange.objects.get(initiative=first)
    assert history.actor == officer and f"lần nhập #{job.pk}" in history.reason
    assert AuditEntry.objects.filter(action="import.saved", object_id=str(job.pk)).count() == 1

    result = signed_in.get(reverse("imports:job_file", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(result.streaming_content)), read_only=True)["Sáng kiến"]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[2][:2] == ("Lỗi cần sửa", "Mã theo dõi")
    assert cells[5][1] == first.tracking_code  # row 6: saved, with its code
    assert "Số điện thoại không hợp lệ" in cells[6][0]  # row 7: the error to fix


def test_save_nothing_until_clean_then_reupload_the_corrected_copy(signed_in, tree, phase):
    rows = [row(), row(benefit_vnd="hai triệu"), row()]
    job = upload(signed_in, tree["d1"], phase, rows)
    refused = confirm(signed_in, job, "all")
    assert "Tệp còn 1 dòng lỗi" in refused.content.decode()
    signed_in.post(reverse("imports:job", args=[job.pk]), {"action": "cancel"})
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and Initiative.objects.count() == 0

    rows[1]["benefit_vnd"] = "2 triệu"
    fixed = upload(signed_in, tree["d1"], phase, rows, name="tong-hop-da-sua.xlsx")
    assert fixed.rows_invalid == 0
    confirm(signed_in, fixed, "all")
    fixed.refresh_from_db()
    assert fixed.status == JobStatus.SAVED and Initiative.objects.count() == 3


def test_reupload_of_the_same_file_or_a_corrected_copy_never_doubles(signed_in, tree, phase):
    shared_author = {"author_full_name": "Lê Thị Cúc", "author_phone": "0977 111 222"}
    rows = [row(**shared_author), row(**shared_author), row(author_phone="bad"), row()]
    data = xlsx_file(rows, programme=phase.programme, phase=phase, scope=tree["d1"])
    first = upload(signed_in, tree["d1"], phase, rows, data=data)
    confirm(signed_in, first, "valid")
    assert Initiative.objects.count() == 3
    assert Person.objects.filter(phone="+84977111222").count() == 1  # one participant, two rows

    again = upload(signed_in, tree["d1"], phase, rows, data=data)
    assert again.report["same_file"]["job"] == first.pk
    page = signed_in.get(reverse("imports:job", args=[again.pk])).content.decode()
    assert "Tệp này giống hệt tệp đã tải lên ở lần nhập" in page
    assert (again.rows_valid, again.rows_existing, again.rows_invalid) == (0, 3, 1)

    rows[2]["author_phone"] = "0966 000 333"  # the corrected copy
    corrected = upload(signed_in, tree["d1"], phase, rows, name="da-sua.xlsx")
    assert (corrected.rows_valid, corrected.rows_existing, corrected.rows_invalid) == (1, 3, 0)
    confirm(signed_in, corrected, "all")
    corrected.refresh_from_db()
    assert corrected.status == JobStatus.SAVED and corrected.rows_saved == 1
    assert Initiative.objects.count() == 4
    assert Authorship.objects.filter(person__phone="+84977111222").count() == 2


def test_people_in_many_rows_and_people_already_known_are_one_participant(signed_in, officer, tree, phase):
    known = Person.objects.create(full_name="Trần Văn Bình", phone="+84987654321")
    InitiativeFactory(phase=phase, unit=tree["g12"], author=known)  # known inside the import unit's subtree
    rows = [row(co_authors="Trần Văn Bình, 0987 654 321; Lê Thị Cúc"),
            row(co_authors="Lê Thị Cúc"),
            row(author_full_name="Trần Văn Bình", author_phone="0987.654.321", author_job="Tổ trưởng")]
    job = upload(signed_in, tree["d1"], phase, rows)
    confirm(signed_in, job, "all")
    assert Person.objects.filter(phone="+84987654321").count() == 1
    known.refresh_from_db()
    assert known.job == ""  # an existing person is never changed by what someone typed …
    mine = Authorship.objects.get(person=known, position=0, initiative__title=rows[2]["title"])
    assert mine.job == "Tổ trưởng"  # … the initiative keeps it
    assert Authorship.objects.filter(person=known).count() == 3
    assert Person.objects.filter(full_name="Lê Thị Cúc").count() == 1  # no contact: matched by name


def test_csv_is_accepted_too(signed_in, tree, phase):
    rows = [row(), row(applied_from="01/06/2021")]
    job = upload(signed_in, tree["d1"], phase, rows, name="tong-hop.csv", data=csv_file(rows, delimiter=";"))
    assert (job.file_format, job.rows_total, job.rows_invalid) == ("csv", 2, 1)
    confirm(signed_in, job, "valid")
    job.refresh_from_db()
    assert job.rows_saved == 1
    result = b"".join(signed_in.get(reverse("imports:job_file", args=[job.pk])).streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(result)))
    assert lines[0][:3] == ["Lỗi cần sửa", "Mã theo dõi", "STT"]
    assert lines[1][1].startswith("SK-")


def test_windows_1258_csv_is_decoded(signed_in, tree, phase):
    rows = [row(author_full_name="Nguyễn Văn Đức")]
    data = csv_file(rows, encoding="cp1258")
    job = upload(signed_in, tree["d1"], phase, rows, name="tong-hop.csv", data=data)
    assert job.rows_invalid == 0 and job.report["sample"][0]["author"] == "Nguyễn Văn Đức"


def _failing_second_batch(monkeypatch):
    real = bulk.insert_rows
    calls = []

    def fail_after_first_batch(model, field_names, rows, **kwargs):
        if model is StatusChange:
            calls.append(len(rows))
            if len(calls) > 1:
                raise RuntimeError("disk full")
        return real(model, field_names, rows, **kwargs)

    monkeypatch.setattr(bulk, "insert_rows", fail_after_first_batch)
    return calls


def test_a_failure_half_way_in_one_transaction_saves_nothing(signed_in, tree, phase, monkeypatch):
    """PostgreSQL's way (and SQLite's before issue 9.6): the whole save is one transaction."""
    monkeypatch.setattr(services, "saves_in_chunks", lambda: False)
    monkeypatch.setattr(passes, "BATCH_ROWS", 2)
    job = upload(signed_in, tree["d1"], phase, [row() for _i in range(5)])
    calls = _failing_second_batch(monkeypatch)
    page = confirm(signed_in, job, "all")
    job.refresh_from_db()
    assert calls == [2, 2]  # the first batch was written, then the second failed
    assert job.status == JobStatus.FAILED and job.rows_saved == 0
    assert "không dòng nào được lưu" in page.content.decode()
    assert Initiative.objects.count() == 0 and Person.objects.count() == 0
    assert Authorship.objects.count() == 0 and StatusChange.objects.count() == 0


def test_a_failure_half_way_in_chunks_keeps_the_chunks_and_the_same_file_saves_the_rest(
        signed_in, tree, phase, monkeypatch):
    """SQLite's way (issue 9.6): each chunk commits with its progress; uploading the
    same file again saves the rest, the saved rows being recognised as already there."""
    monkeypatch.setattr(services, "saves_in_chunks", lambda: True)
    monkeypatch.setattr(services, "SQLITE_CHUNK_ROWS", 2)
    monkeypatch.setattr(services, "SQLITE_CHUNK_MAX_ROWS", 2)  # chunks of two rows, however fast
    rows = [row(title=f"Cải tiến số {i}") for i in range(5)]
    job = upload(signed_in, tree["d1"], phase, rows)
    calls = _failing_second_batch(monkeypatch)
    page = confirm(signed_in, job, "all").content.decode()
    job.refresh_from_db()
    assert calls == [2, 2]
    assert job.status == JobStatus.FAILED and job.rows_saved == 2
    assert "2 dòng đã được lưu trước khi lỗi" in page
    assert Initiative.objects.count() == 2 and StatusChange.objects.count() == 2
    monkeypatch.setattr(bulk, "insert_rows", _real_insert_rows)
    again = upload(signed_in, tree["d1"], phase, rows)
    confirm(signed_in, again, "all")
    again.refresh_from_db()
    assert (again.status, again.rows_saved, again.rows_existing) == (JobStatus.SAVED, 3, 2)
    assert Initiative.objects.count() == 5 and StatusChange.objects.count() == 5


def test_all_or_nothing_in_chunks_checks_every_row_before_the_first_chunk(signed_in, tree, phase, monkeypatch):
    """A unit retired after the preview, in the last row: not even the first chunk is saved."""
    monkeypatch.setattr(services, "saves_in_chunks", lambda: True)
    monkeypatch.setattr(services, "SQLITE_CHUNK_ROWS", 2)
    monkeypatch.setattr(services, "SQLITE_CHUNK_MAX_ROWS", 2)  # chunks of two rows, however fast
    rows = [row(title=f"Cải tiến số {i}") for i in range(4)]
    rows.append(row(title="Cải tiến cuối", unit="375-0001"))
    job = upload(signed_in, tree["d1"], phase, rows)
    assert job.rows_invalid == 0
    type(tree["g11"]).objects.filter(pk=tree["g11"].pk).update(is_active=False)
    confirm(signed_in, job, "all")
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED and job.rows_saved == 0
    assert Initiative.objects.count() == 0


def test_save_rechecks_against_the_database_as_it_is_at_saving(signed_in, tree, phase):
    """A row saved by someone else between preview and confirm is skipped, not doubled."""
    rows = [row(), row()]
    job = upload(signed_in, tree["d1"], phase, rows)
    other = UserFactory()
    grant(other, tree["d1"], Role.UNIT_ADMIN)
    earlier = upload(signed_in, tree["d1"], phase, rows[:1], name="mot-dong.xlsx")
    services.confirm_job(job=earlier, mode="all", actor=other)
    services.save_job(earlier.pk, actor=other)
    confirm(signed_in, job, "all")
    job.refresh_from_db()
    assert (job.status, job.rows_saved, job.rows_existing) == (JobStatus.SAVED, 1, 1)
    assert Initiative.objects.count() == 2


def test_large_files_are_checked_and_saved_by_background_tasks(signed_in, tree, phase, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    from sangkien.imports import views

    monkeypatch.setattr(views, "INLINE_BYTES", 10)
    monkeypatch.setattr(services, "INLINE_ROWS", 1)
    rows = [row(), row()]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = upload(signed_in, tree["d1"], phase, rows)
    assert job.status == JobStatus.QUEUED and len(queued) == 1
    page = signed_in.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'data-testid="progress"' in page
    progress = signed_in.get(reverse("imports:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert progress.status_code == 200 and "<progress" in progress.content.decode()
    queued[0]()  # the worker runs the check (ImmediateBackend)
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    done = signed_in.get(reverse("imports:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"
    with django_capture_on_commit_callbacks(execute=True):
        confirm(signed_in, job, "all")
    job.refresh_from_db()
    assert job.status == JobStatus.SAVED and Initiative.objects.count() == 2


def test_double_confirm_saves_once(signed_in, tree, phase):
    job = upload(signed_in, tree["d1"], phase, [row()])
    confirm(signed_in, job, "all")
    second = confirm(signed_in, job, "all")
    assert "không còn chờ xác nhận" in second.content.decode()
    assert Initiative.objects.count() == 1


def test_unit_retired_between_preview_and_save_saves_nothing_in_all_or_nothing(signed_in, tree, phase):
    from sangkien.units.models import Unit

    job = upload(signed_in, tree["d1"], phase, [row(), row(unit="375-0001")])
    assert job.rows_invalid == 0
    Unit.objects.filter(pk=tree["g11"].pk).update(is_active=False)
    page = confirm(signed_in, job, "all").content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED and Initiative.objects.count() == 0
    assert "không lưu dòng nào" in page
    with job.result_file.open("rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read()), read_only=True)["Sáng kiến"]
    cells = list(sheet.iter_rows(values_only=True))
    assert "vừa giải thể hoặc sáp nhập" in cells[6][0] and cells[5][1] is None  # no code: nothing saved



def test_imported_initiatives_join_the_duplicate_index(signed_in, tree, phase):
    """A row imported in bulk is found by the near-duplicate detector afterwards."""
    from sangkien.duplicates.similar import similar_initiatives

    job = upload(signed_in, tree["d1"], phase, [row(title="Cải tiến gá kẹp cổ áo giảm thời gian may")])
    confirm(signed_in, job, "valid")
    saved = Initiative.objects.get()
    matches = similar_initiatives(programme_id=phase.programme_id, title=saved.title,
                                  description=saved.description)
    assert [m.initiative.pk for m in matches][:1] == [saved.pk]


def test_imported_rows_claim_their_exact_text_for_their_main_author(signed_in, tree, phase):
    """Issue 9.7: an import claims like a form (by phone, else e-mail), so an entry of the
    same text for the same author racing the import is refused by the database."""
    from sangkien.duplicates.models import ExactText

    rows = [row(author_phone="0912 000 111"), row(author_phone="", author_email="Hoa@Example.vn")]
    job = upload(signed_in, tree["d1"], phase, rows)
    confirm(signed_in, job, "all")
    claims = dict(ExactText.objects.values_list("initiative__tracking_code", "author_key"))
    saved = dict(Initiative.objects.values_list("tracking_code", "authorships__person__phone"))
    assert sorted(claims.values()) == ["e:hoa@example.vn", "p:+84912000111"] and set(claims) == set(saved)


def test_chunks_grow_to_the_time_each_may_hold_the_lock_and_shrink_under_load():
    """Issue 12: SQLite's chunks are paced — as many rows as the last chunk saved in 0.2 s,
    between the first chunk's size and the cap (50 rows each spent half a large save on commits)."""
    chunks = passes.SaveChunks(rows=50, open=lambda: None, seconds=0.2, max_rows=1000)
    assert chunks.next_size(50, 50, 0.02) == 500  # quiet: ten times as many rows fit in 0.2 s
    assert chunks.next_size(500, 500, 0.001) == 1000  # never more than the cap
    assert chunks.next_size(500, 500, 1.0) == 100  # under load: back down
    assert chunks.next_size(100, 100, 5.0) == 50  # never fewer than the first chunk
    assert chunks.next_size(500, 7, 0.001) == 500  # the last, short chunk says nothing of the pace
    fixed = passes.SaveChunks(rows=50, open=lambda: None)
    assert fixed.next_size(50, 50, 0.001) == 50


def test_a_chunked_save_commits_fewer_larger_chunks_when_they_are_quick(signed_in, tree, phase, monkeypatch):
    monkeypatch.setattr(services, "saves_in_chunks", lambda: True)
    monkeypatch.setattr(services, "SQLITE_CHUNK_ROWS", 2)
    rows = [row(title=f"Cải tiến số {i}") for i in range(30)]
    job = upload(signed_in, tree["d1"], phase, rows)
    opened = []
    real = services._chunks

    def counting(job):
        chunks = real(job)
        def open_chunk():
            opened.append(1)
            return chunks.open()
        return passes.SaveChunks(rows=chunks.rows, open=open_chunk, seconds=chunks.seconds,
                                 max_rows=chunks.max_rows)

    monkeypatch.setattr(services, "_chunks", counting)
    confirm(signed_in, job, "all")
    job.refresh_from_db()
    assert (job.status, job.rows_saved) == (JobStatus.SAVED, 30)
    assert Initiative.objects.count() == 30
    assert 2 <= len(opened) < 15  # 2 rows first, then as many as fit in 0.2 s (15 chunks of 2 before)

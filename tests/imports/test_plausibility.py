"""Issue 9 item 8: an import larger than plausible for its unit is held — nothing saved or
counted — until an officer of the level above confirms it; the uploader and officers beside
cannot; a refusal's reason reaches the uploader; a normal-size import is not held."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from sangkien.core.models import AuditEntry
from sangkien.imports.models import ImportJob, JobStatus
from sangkien.initiatives.models import Initiative
from sangkien.initiatives.plausibility import DAILY, GRASSROOTS_MAX, HISTORY, MEMBERS, Hold, assess
from sangkien.reports.counting import unit_table
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, PhaseFactory, ProgrammeFactory, UserFactory, grant
from tests.imports.conftest import csv_file, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]

G11 = "CĐCS Trường THCS Khánh Hội (375-0001)"  # 40 members (tests/conftest.py)
ROWS = 120  # 120 participants in a union of 40 members: the 100,004 in small


@pytest.fixture
def people(tree):
    """The issue's cast: a support-team member of grassroots union g11 (the uploader), a reviewer
    of its district d1 (the level above), a reviewer of the district beside (d2), a reviewer of the
    grassroots union beside (g12)."""
    cast = {name: UserFactory(full_name=name) for name in ("uploader", "above", "beside", "sibling")}
    grant(cast["uploader"], tree["g11"], Role.SUPPORT_TEAM)
    grant(cast["above"], tree["d1"], Role.REVIEWER)
    grant(cast["beside"], tree["d2"], Role.REVIEWER)
    grant(cast["sibling"], tree["g12"], Role.REVIEWER)
    return cast


@pytest.fixture
def rival(tree, phase):
    """The other province leads before the import: three initiatives by three people in g21."""
    return [InitiativeFactory(phase=phase, unit=tree["g21"]) for _ in range(3)]


def _upload(client, user, unit, phase, rows):
    client.force_login(user)
    data = csv_file(rows)
    response = client.post(reverse("imports:upload", args=[unit.code, phase.programme.slug]),
                           {"file": SimpleUploadedFile("danh-sach.csv", data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def _province_ranking(tree, programme, rank_by="participants"):
    table = unit_table(programme=programme, unit=tree["root"], rank_by=rank_by)
    return [(r.code, r.rank, getattr(r, rank_by)) for r in table.rows if r.code]


def test_the_attack_is_held_counts_unchanged_and_the_level_above_confirms(client, tree, phase, people, rival):
    before = _province_ranking(tree, phase.programme)
    assert before[0][0] == "24"  # Bắc Giang leads

    job = _upload(client, people["uploader"], tree["g11"], phase, [row(unit=G11) for _ in range(ROWS)])
    job.refresh_from_db()
    assert job.status == JobStatus.HELD and job.rows_valid == ROWS
    assert job.hold == {"rule": MEMBERS, "figure": ROWS, "basis": 40, "limit": 50}
    assert Initiative.objects.count() == 3  # nothing saved
    assert _province_ranking(tree, phase.programme) == before  # nothing counted, ranking unchanged
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Chờ cấp trên xác nhận" in page and "120 người tham gia, đơn vị có 40 đoàn viên" in page
    assert "LĐLĐ huyện Yên Khánh" in page  # who can confirm
    assert 'data-testid="confirm-hold"' not in page  # the uploader gets no confirm button…
    # …and cannot confirm by posting either
    assert client.post(reverse("imports:job", args=[job.pk]), {"action": "confirm-held", "mode": "all"}).status_code \
        == 403
    # the ordinary save is closed too
    client.post(reverse("imports:job", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == JobStatus.HELD and Initiative.objects.count() == 3

    for name in ("beside", "sibling"):  # officers beside neither see nor confirm it
        client.force_login(people[name])
        assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
        assert client.post(reverse("imports:job", args=[job.pk]),
                           {"action": "confirm-held", "mode": "all"}).status_code == 404
        assert 'data-testid="held-imports"' not in client.get(reverse("review:home")).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.HELD

    client.force_login(people["above"])
    home = client.get(reverse("review:home")).content.decode()
    assert 'data-testid="held-imports"' in home and f"#{job.pk} danh-sach.csv" in home
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'data-testid="confirm-hold"' in page
    done = client.post(reverse("imports:job", args=[job.pk]), {"action": "confirm-held", "mode": "all"}, follow=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SAVED and job.rows_saved == ROWS and job.hold_decided_by == people["above"]
    assert "đã được cán bộ cấp trên" in done.content.decode()
    saved = Initiative.objects.filter(unit=tree["g11"])
    assert saved.count() == ROWS and {i.entered_by for i in saved} == {people["uploader"]}
    after = _province_ranking(tree, phase.programme)
    assert after[0] == ("37", 1, ROWS)  # counted once confirmed
    actions = list(AuditEntry.objects.filter(object_id=str(job.pk)).values_list("action", "actor"))
    assert ("import.held", people["uploader"].pk) in actions
    assert ("import.hold_confirmed", people["above"].pk) in actions


def test_the_uploader_cannot_confirm_even_with_a_role_above(client, tree, phase, people):
    grant(people["uploader"], tree["d1"], Role.SUPPORT_TEAM)
    job = _upload(client, people["uploader"], tree["g11"], phase, [row(unit=G11) for _ in range(60)])
    assert job.status == JobStatus.HELD
    assert not people["uploader"].has_perm("imports.confirm_held", job)
    assert client.post(reverse("imports:job", args=[job.pk]), {"action": "confirm-held", "mode": "all"}).status_code \
        == 403
    assert 'data-testid="held-imports"' not in client.get(reverse("review:home")).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.HELD and Initiative.objects.count() == 0


def test_refusal_keeps_nothing_and_the_uploader_reads_why(client, tree, phase, people):
    job = _upload(client, people["uploader"], tree["g11"], phase, [row(unit=G11) for _ in range(60)])
    client.force_login(people["above"])
    url = reverse("imports:job", args=[job.pk])
    empty = client.post(url, {"action": "refuse-held", "reason": "   "})
    assert "Hãy ghi lý do" in empty.content.decode()
    long_text = "Quá nhiều. " * 250
    too_long = client.post(url, {"action": "refuse-held", "reason": long_text}).content.decode()
    assert "Lý do dài quá 2000 ký tự" in too_long and long_text.strip() in too_long  # what was typed is kept
    job.refresh_from_db()
    assert job.status == JobStatus.HELD
    client.post(url, {"action": "refuse-held", "reason": "Trường chỉ có 40 đoàn viên."})
    job.refresh_from_db()
    assert job.status == JobStatus.REFUSED and job.hold_refusal == "Trường chỉ có 40 đoàn viên."
    assert Initiative.objects.count() == 0
    assert AuditEntry.objects.filter(action="import.hold_refused", actor=people["above"]).exists()
    client.force_login(people["uploader"])
    page = client.get(url).content.decode()
    assert "Cấp trên không xác nhận" in page and "Trường chỉ có 40 đoàn viên." in page


def test_a_normal_size_import_is_not_held(client, tree, phase, people):
    job = _upload(client, people["uploader"], tree["g11"], phase, [row(unit=G11) for _ in range(30)])
    assert job.status == JobStatus.CHECKED and not job.hold
    client.post(reverse("imports:job", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == JobStatus.SAVED and job.rows_saved == 30


def test_people_already_counted_are_not_new_participants(client, tree, phase, people):
    """Re-importing the unit's own 30 participants with new initiatives adds no one: not held."""
    first = [row(unit=G11) for _ in range(30)]
    job = _upload(client, people["uploader"], tree["g11"], phase, first)
    client.post(reverse("imports:job", args=[job.pk]), {"mode": "all"})
    again = [row(unit=G11, author_phone=r["author_phone"], author_full_name=r["author_full_name"],
                 title=r["title"] + " (cải tiến lần 2)") for r in first * 2]
    job = _upload(client, people["uploader"], tree["g11"], phase, again)
    assert job.status == JobStatus.CHECKED, job.hold


def test_the_national_level_confirms_its_own(tree, phase):
    uploader, colleague = UserFactory(), UserFactory()
    for user in (uploader, colleague):
        grant(user, tree["root"], Role.ORGANISING_COMMITTEE)
    job = ImportJob(unit=tree["root"], programme=phase.programme, created_by=uploader, status=JobStatus.HELD)
    assert colleague.has_perm("imports.confirm_held", job)
    assert not uploader.has_perm("imports.confirm_held", job)
    district_admin = UserFactory()
    grant(district_admin, tree["d1"], Role.UNIT_ADMIN)
    assert district_admin.has_perm("imports.confirm_held", ImportJob(unit=tree["g11"], created_by=uploader))
    assert not district_admin.has_perm("imports.confirm_held", ImportJob(unit=tree["d1"], created_by=uploader))


def test_history_bounds_a_unit_without_member_counts(tree, phase):
    """A district with a grassroots union lacking a member count: the earlier programme's best applies."""
    from tests.factories import make_unit

    make_unit(tree["d1"], code="375-0009", name="CĐCS chưa khai số đoàn viên")
    earlier = PhaseFactory(programme=ProgrammeFactory(organiser=tree["root"]), number=1)
    for _ in range(20):
        InitiativeFactory(phase=earlier, unit=tree["g12"])
    held = assess(unit=tree["d1"], programme=phase.programme, participants_added=101, initiatives_added=101)
    assert held is not None and held.rule == HISTORY and (held.figure, held.basis, held.limit) == (101, 20, 100)
    assert assess(unit=tree["d1"], programme=phase.programme, participants_added=100, initiatives_added=100) is None


def test_each_reason_reads_with_its_figures():
    with translation.override("vi"):
        assert Hold(MEMBERS, 100_000, 420, 420).describe() == "100.000 người tham gia, đơn vị có 420 đoàn viên"
        assert Hold(HISTORY, 101, 20, 100).describe() == (
            "101 sáng kiến, quá mức hợp lý 100 (số cao nhất đơn vị từng có: 20)")
        assert Hold(GRASSROOTS_MAX, 10_001, 10_000, 10_000).describe().startswith("10.001 người tham gia")
        assert Hold(DAILY, 11, 10, 10).describe() == "11 sáng kiến của một người trong một ngày (tối đa 10)"
    assert Hold.from_dict({"rule": "x"}) is None and Hold.from_dict({}) is None

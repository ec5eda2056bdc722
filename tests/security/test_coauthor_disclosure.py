"""Co-authors never reveal strangers; each initiative keeps what its authors were (issue 9 items 1 and 11).

The attack: a member types a co-author "A, 0914 988 450"; somewhere else in
the country "Đỗ Ngọc Phong · Công nhân · Văn phòng UBND tỉnh" once gave that
number.  Matching by phone anywhere showed the member the stranger's name,
job and workplace, counted the two as one participant and exported the
stranger.  The rule now (sangkien.initiatives.people): an existing person
only with proof — a verified account, or the same actor's / the import
unit's earlier entries — and pages show what was typed.
"""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sangkien.core.clock import local_datetime, now
from sangkien.imports.models import ImportJob
from sangkien.initiatives.details import AuthorData
from sangkien.initiatives.models import Authorship, Initiative, Person
from sangkien.initiatives.people import Circle, match_people
from sangkien.programmes.models import Field
from sangkien.reports.counting import unit_table
from sangkien.reports.exports import ExportFilters, PersonalData, initiative_rows
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, UserFactory, grant
from tests.imports.conftest import row, xlsx_file

pytestmark = pytest.mark.django_db

STRANGER_PHONE = "+84914988450"
STRANGER = {"full_name": "Đỗ Ngọc Phong", "job": "Công nhân", "workplace": "Văn phòng UBND tỉnh"}
AT = local_datetime(2021, 4, 5, 10)


@pytest.fixture
def stranger(tree, phase):
    """Đỗ Ngọc Phong, known only in Bắc Giang (g21, entered by someone else), holding the phone."""
    person = Person.objects.create(phone=STRANGER_PHONE, email="", **STRANGER)
    InitiativeFactory(phase=phase, unit=tree["g21"], author=person)
    return person


@pytest.fixture
def member(client):
    user = UserFactory(full_name="Nguyễn Thị Hoa")
    client.force_login(user)
    return user


def form_data(tree, **overrides):
    data = {
        "author_full_name": "Nguyễn Thị Hoa", "author_phone": "0912 345 678", "author_email": "",
        "author_job": "Giáo viên", "author_workplace": "Trường THCS Khánh Hội",
        "co_authors": "A, 0914 988 450",
        "unit_1": tree["p1"].code, "unit_2": tree["d1"].code, "unit_3": tree["g11"].code,
        "sector_block": "public", "title": "Ứng dụng bản đồ tư duy trong dạy học môn Ngữ văn",
        "description": "<p>Giải pháp mới cho tiết học.</p>", "effect_summary": "", "benefit_vnd": "",
        "recognition_form": "", "submission_token": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def submit(client, phase, tree, **overrides):
    with time_machine.travel(AT, tick=False):
        response = client.post(reverse("initiatives:submit", args=[phase.programme.slug]),
                               form_data(tree, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Initiative.objects.latest("pk")


def authors_html(client, initiative):
    """The authors list of the initiative's page, as the signed-in user sees it."""
    html = client.get(reverse("initiatives:detail", args=[initiative.tracking_code])).content.decode()
    start = html.index('data-testid="author"')
    return html[start:html.index("</ul>", start)]


def total_participants(programme, tree):
    return unit_table(programme=programme, unit=tree["root"]).total.participants


def export_cells(user, programme, unit):
    return [cell for r in initiative_rows(user=user, programme=programme, unit=unit, filters=ExportFilters(),
                                          personal=PersonalData(user)) for cell in r]


def assert_no_stranger(text):
    for value in STRANGER.values():
        assert value not in text


def test_the_member_sees_what_they_typed_not_the_stranger_holding_the_phone(client, member, tree, phase,
                                                                             stranger):
    initiative = submit(client, phase, tree)
    shown = authors_html(client, initiative)
    assert "A (đồng tác giả)" in " ".join(shown.split())
    assert_no_stranger(shown)
    co = initiative.authorships.get(position=1)
    assert co.person != stranger and (co.full_name, co.phone) == ("A", STRANGER_PHONE)
    # counted apart: the stranger, the member, and "A"
    assert total_participants(phase.programme, tree) == 3
    stranger.refresh_from_db()
    assert (stranger.full_name, stranger.job, stranger.workplace) == tuple(STRANGER.values())


def test_the_export_shows_the_typed_co_author(client, member, tree, phase, stranger):
    submit(client, phase, tree)
    organiser = UserFactory()
    grant(organiser, tree["root"], Role.REVIEWER)
    cells = [str(c) for c in export_cells(organiser, phase.programme, tree["p1"])]
    assert any(c.startswith("A, ") for c in cells)
    assert_no_stranger(" ".join(cells))


def test_entry_on_behalf_does_not_attach_or_fill_the_stranger(client, tree, phase, stranger):
    officer = UserFactory(full_name="Vũ Thị Lan")
    grant(officer, tree["g11"], Role.SUPPORT_TEAM)
    client.force_login(officer)
    url = reverse("review:enter", args=[tree["g11"].code, phase.programme.slug])
    with time_machine.travel(AT, tick=False):
        response = client.post(url, {
            "author_full_name": "Phạm Văn Công", "author_phone": "0914 988 450", "author_email": "cong@example.vn",
            "author_job": "Thợ hàn", "sector_block": "enterprise", "title": "Đồ gá mới",
            "description": "Giảm thời gian thay khuôn", "benefit_vnd": "5.000.000",
            "submission_token": uuid.uuid4().hex})
    assert response.status_code == 302
    initiative = Initiative.objects.get(title="Đồ gá mới")
    main = initiative.authorships.get()
    assert main.person != stranger and main.full_name == "Phạm Văn Công"
    shown = authors_html(client, initiative)
    assert "Phạm Văn Công" in shown and "Thợ hàn" in shown
    assert_no_stranger(shown)
    stranger.refresh_from_db()
    assert stranger.email == ""  # nothing the officer typed lands on someone else
    assert total_participants(phase.programme, tree) == 2


def test_a_verified_account_is_the_same_participant_but_shows_only_what_was_typed(client, member, tree, phase):
    owner = UserFactory(full_name="Đỗ Ngọc Phong", phone=STRANGER_PHONE, phone_verified_at=now())
    own = Person.objects.create(user=owner, phone=STRANGER_PHONE, **STRANGER)
    InitiativeFactory(phase=phase, unit=tree["g21"], author=own)
    initiative = submit(client, phase, tree)
    co = initiative.authorships.get(position=1)
    assert co.person == own  # proven: the account holder verified the phone by SMS
    shown = authors_html(client, initiative)
    assert "A (đồng tác giả)" in " ".join(shown.split())
    assert_no_stranger(shown)
    assert total_participants(phase.programme, tree) == 2  # the owner and the member


def test_an_unverified_account_holding_the_phone_is_not_proof(client, member, tree, phase):
    owner = UserFactory(full_name="Đỗ Ngọc Phong", phone=STRANGER_PHONE, phone_verified_at=None)
    own = Person.objects.create(user=owner, phone=STRANGER_PHONE, **STRANGER)
    initiative = submit(client, phase, tree)
    assert initiative.authorships.get(position=1).person != own


def test_the_same_co_author_typed_twice_by_one_member_counts_once_but_not_across_members(client, member, tree,
                                                                                          phase):
    first = submit(client, phase, tree)
    second = submit(client, phase, tree, title="Sổ tay điện tử cho giáo viên chủ nhiệm")
    assert first.authorships.get(position=1).person == second.authorships.get(position=1).person
    other = UserFactory(full_name="Lê Văn Dũng")
    client.force_login(other)
    third = submit(client, phase, tree, author_full_name="Lê Văn Dũng", author_phone="0988 111 222",
                   title="Máy chấm công bằng thẻ từ tự làm")
    assert third.authorships.get(position=1).person != first.authorships.get(position=1).person


def test_each_initiative_keeps_the_job_it_was_sent_with(client, member, tree, phase):
    first = submit(client, phase, tree)
    submit(client, phase, tree, author_job="Hiệu phó", author_workplace="Trường THCS Khánh Nhạc",
           title="Sổ tay điện tử cho giáo viên chủ nhiệm")
    member.person.refresh_from_db()
    assert member.person.job == "Hiệu phó"  # the member's own details move on …
    shown = authors_html(client, first)
    assert "Giáo viên" in shown and "Trường THCS Khánh Hội" in shown  # … the first initiative does not
    assert "Hiệu phó" not in shown
    cells = export_cells(member, phase.programme, tree["root"])
    assert "Giáo viên" in cells and "Hiệu phó" in cells


# -- imports: the officer's explicit act, inside their scope --------------------------------

@pytest.fixture
def import_settings(db):
    """The field the import rows name (media and immediate tasks: tests/security/conftest.py)."""
    Field.objects.create(code="san-xuat", name="Sản xuất, kinh doanh", position=1)


def run_import(client, tree, phase, rows):
    officer = UserFactory(full_name="Phạm Văn Hỗ Trợ")
    grant(officer, tree["d1"], Role.SUPPORT_TEAM)
    client.force_login(officer)
    with time_machine.travel(AT, tick=False):
        data = xlsx_file(rows, programme=phase.programme, phase=phase, scope=tree["d1"])
        upload = client.post(reverse("imports:upload", args=[tree["d1"].code, phase.programme.slug]),
                             {"file": SimpleUploadedFile("tong-hop.xlsx", data)})
        assert upload.status_code == 302
        job = ImportJob.objects.latest("pk")
        client.post(reverse("imports:job", args=[job.pk]), {"mode": "all"})
    return officer


def test_an_import_in_one_unit_does_not_attach_a_person_known_only_in_another(client, tree, phase, stranger,
                                                                             import_settings):
    rows = [row(co_authors="A, 0914 988 450")]
    run_import(client, tree, phase, rows)
    co = Authorship.objects.get(initiative__title=rows[0]["title"], position=1)
    assert co.person != stranger and co.full_name == "A"
    stranger.refresh_from_db()
    assert (stranger.full_name, stranger.job, stranger.workplace) == tuple(STRANGER.values())


def test_an_import_attaches_a_person_already_known_in_its_subtree(client, tree, phase, import_settings):
    known = Person.objects.create(full_name="Trần Văn Bình", phone=STRANGER_PHONE)
    InitiativeFactory(phase=phase, unit=tree["g11"], author=known)
    rows = [row(co_authors="Bình, 0914 988 450")]
    run_import(client, tree, phase, rows)
    co = Authorship.objects.get(initiative__title=rows[0]["title"], position=1)
    assert co.person == known and co.full_name == "Bình"
    known.refresh_from_db()
    assert known.full_name == "Trần Văn Bình"


def test_an_import_does_not_reveal_that_a_phone_sent_the_same_title_elsewhere(client, tree, phase, stranger,
                                                                              import_settings):
    """The "already saved" check looks only inside the import unit's subtree: a row
    repeating the stranger's initiative in Bắc Giang is saved, and the job's report
    does not name the stranger's tracking code."""
    theirs = Initiative.objects.get(authorships__person=stranger)
    rows = [row(author_full_name="A", author_phone="0914 988 450", title=theirs.title)]
    run_import(client, tree, phase, rows)
    job = ImportJob.objects.latest("pk")
    assert (job.rows_existing, job.rows_saved) == (0, 1)
    assert theirs.tracking_code not in str(job.report)
    assert Initiative.objects.filter(title=theirs.title).count() == 2


def test_an_import_still_skips_a_row_already_saved_in_its_subtree(client, tree, phase, import_settings):
    known = Person.objects.create(full_name="Trần Văn Bình", phone=STRANGER_PHONE)
    ours = InitiativeFactory(phase=phase, unit=tree["g11"], author=known)
    rows = [row(author_full_name="Bình", author_phone="0914 988 450", title=ours.title)]
    run_import(client, tree, phase, rows)
    job = ImportJob.objects.latest("pk")
    assert (job.rows_existing, job.rows_saved) == (1, 0)
    assert ours.tracking_code in str(job.report)


# -- one rule, the web's circle and the import's ------------------------------------------

@pytest.mark.parametrize("case", ["verified", "same_circle", "elsewhere", "unverified_account", "name_only"])
def test_the_web_and_the_import_apply_the_same_rule(case, tree, phase):
    """The same cases through the web's circle (the actor's entries) and the import's (the unit's subtree)."""
    actor = UserFactory()
    typed = AuthorData(full_name="A", phone=STRANGER_PHONE)
    expected = None
    if case == "verified":
        owner = UserFactory(phone=STRANGER_PHONE, phone_verified_at=now())
        expected = Person.objects.create(user=owner, full_name="X").pk
    elif case == "unverified_account":
        owner = UserFactory(phone=STRANGER_PHONE, phone_verified_at=None)
        Person.objects.create(user=owner, full_name="X", phone=STRANGER_PHONE)
    elif case == "same_circle":
        person = Person.objects.create(full_name="X", phone=STRANGER_PHONE)
        InitiativeFactory(phase=phase, unit=tree["g11"], author=person, entered_by=actor)
        expected = person.pk
    elif case == "elsewhere":
        person = Person.objects.create(full_name="X", phone=STRANGER_PHONE)
        InitiativeFactory(phase=phase, unit=tree["g21"], author=person)
    elif case == "name_only":
        typed = AuthorData(full_name="Lê Thị Cúc")
        person = Person.objects.create(full_name="Lê Thị Cúc")
        InitiativeFactory(phase=phase, unit=tree["g11"], author=person, entered_by=actor)
        expected = person.pk
    web = match_people([typed], circle=Circle(entered_by_id=actor.pk))
    bulk = match_people([typed], circle=Circle(unit_path=tree["d1"].path))
    assert list(web.values()) == list(bulk.values()) == ([expected] if expected else [])


def test_a_verified_account_without_a_person_gets_one_from_the_account_not_from_what_was_typed(client, member,
                                                                                              tree, phase):
    owner = UserFactory(full_name="Đỗ Ngọc Phong", phone=STRANGER_PHONE, phone_verified_at=now())
    initiative = submit(client, phase, tree)
    co = initiative.authorships.get(position=1)
    assert co.person.user == owner and co.person.full_name == "Đỗ Ngọc Phong"
    assert co.full_name == "A"
    assert_no_stranger(authors_html(client, initiative))

"""Issue 9 item 8, web submissions: beyond plausible they are saved but held — not counted, live
or in the roll-ups — until a reviewer of the level above releases them; the member sees
"đang chờ xác nhận"; the queue filters held ones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.core.models import AuditEntry
from sangkien.initiatives.details import AuthorData, InitiativeDetails
from sangkien.initiatives.models import Initiative, SectorBlock
from sangkien.initiatives.plausibility import DAILY, MEMBERS, release_hold
from sangkien.initiatives.services import submit_initiative
from sangkien.reports.counting import unit_table
from sangkien.reports.rollup import rollup_unit_table
from sangkien.reports.rollup_refresh import refresh
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        yield


@pytest.fixture
def member(db):
    return UserFactory(full_name="Nguyễn Thị Hoa", phone="+84912000111")


@pytest.fixture
def reviewers(tree):
    above, same_level = UserFactory(), UserFactory()
    grant(above, tree["d1"], Role.REVIEWER)
    grant(same_level, tree["g11"], Role.REVIEWER)
    return {"above": above, "same_level": same_level}


def _submit(member, phase, unit, n):
    initiative, _created = submit_initiative(
        programme=phase.programme, unit=unit, unit_unlisted=False, actor=member,
        details=InitiativeDetails(sector_block=SectorBlock.PUBLIC, title=f"Sổ tay điện tử số {n}",
                                  description=f"<p>Giải pháp số {n}: theo dõi bài tập về nhà của lớp {n}.</p>"),
        authors=[AuthorData(full_name=member.full_name, phone=member.phone)])
    return initiative


def _submitted(tree, phase):
    return unit_table(programme=phase.programme, unit=tree["p1"]).total.submitted


def test_more_than_n_a_day_by_one_person_are_held_and_released_by_the_level_above(
        client, settings, tree, phase, member, reviewers, frozen):
    settings.SANGKIEN_PLAUSIBILITY_DAILY_PER_PERSON = 2
    made = [_submit(member, phase, tree["g11"], n) for n in range(3)]
    for initiative in made:
        initiative.refresh_from_db()
    assert [i.held_at is not None for i in made] == [False, False, True]
    held = made[2]
    assert held.held_reason == {"rule": DAILY, "figure": 3, "basis": 2, "limit": 2}
    assert _submitted(tree, phase) == 2  # saved, not counted
    assert AuditEntry.objects.filter(action="initiative.held", object_id=str(held.pk)).exists()

    client.force_login(member)
    mine = client.get(reverse("initiatives:mine")).content.decode()
    assert mine.count('data-testid="held-note"') == 1 and "Đang chờ xác nhận" in mine
    detail = client.get(reverse("initiatives:detail", args=[held.tracking_code])).content.decode()
    assert "3 sáng kiến của một người trong một ngày (tối đa 2)" in detail
    assert 'data-testid="release-hold"' not in detail
    assert client.post(reverse("review:release_hold", args=[held.tracking_code])).status_code == 403

    client.force_login(reviewers["same_level"])  # a reviewer of the unit itself is not the level above
    assert client.post(reverse("review:release_hold", args=[held.tracking_code])).status_code == 403
    held.refresh_from_db()
    assert held.held_at is not None

    client.force_login(reviewers["above"])
    queue = client.get(reverse("review:queue", args=[phase.programme.slug]),
                       {"trang-thai": "tat-ca", "cho-xac-nhan": "on"}).content.decode()
    assert queue.count('data-testid="queue-item"') == 1 and held.title in queue
    detail = client.get(reverse("initiatives:detail", args=[held.tracking_code])).content.decode()
    assert 'data-testid="release-hold"' in detail
    client.post(reverse("review:release_hold", args=[held.tracking_code]))
    held.refresh_from_db()
    assert held.held_at is None and held.held_reason == {}
    assert _submitted(tree, phase) == 3
    assert AuditEntry.objects.filter(action="initiative.hold_released", actor=reviewers["above"]).exists()


def test_a_new_participant_beyond_the_unions_members_is_held(settings, tree, phase, member, reviewers, frozen):
    settings.SANGKIEN_PLAUSIBILITY_FLOOR = 5
    for _ in range(40):  # g11 has 40 members, all of them already counted
        InitiativeFactory(phase=phase, unit=tree["g11"])
    initiative = _submit(member, phase, tree["g11"], 1)
    initiative.refresh_from_db()
    assert initiative.held_reason == {"rule": MEMBERS, "figure": 41, "basis": 40, "limit": 40}
    second = _submit(member, phase, tree["g11"], 2)  # still not counted: still a new participant
    second.refresh_from_db()
    assert second.held_at is not None
    release_hold(initiative=initiative, actor=reviewers["above"])
    # counted now: the same person again brings no one new, so the member rule does not hold it
    third = _submit(member, phase, tree["g11"], 3)
    third.refresh_from_db()
    assert third.held_at is None


def test_an_ordinary_submission_is_not_held(tree, phase, member, frozen):
    initiative = _submit(member, phase, tree["g11"], 1)
    initiative.refresh_from_db()
    assert initiative.held_at is None and _submitted(tree, phase) == 1


def test_rollups_leave_held_out_and_recount_on_release(settings, tree, phase, member, reviewers):
    settings.SANGKIEN_PLAUSIBILITY_DAILY_PER_PERSON = 1
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        refresh()
        _submit(member, phase, tree["g11"], 1)
        held = _submit(member, phase, tree["g11"], 2)
        held.refresh_from_db()
        assert held.held_at is not None
    with time_machine.travel(local_datetime(2021, 4, 5, 10, 5), tick=False):
        refresh(margin=dt.timedelta(0))
        kwargs = {"programme": phase.programme, "unit": tree["p1"]}
        assert rollup_unit_table(**kwargs).total.submitted == unit_table(**kwargs).total.submitted == 1
    with time_machine.travel(local_datetime(2021, 4, 5, 11), tick=False):
        release_hold(initiative=held, actor=reviewers["above"])
    with time_machine.travel(local_datetime(2021, 4, 5, 11, 5), tick=False):
        refresh(margin=dt.timedelta(0))
        assert rollup_unit_table(**kwargs).total.submitted == unit_table(**kwargs).total.submitted == 2
        assert Initiative.objects.filter(held_at__isnull=False).count() == 0


def test_only_the_authors_new_to_the_union_are_added_to_its_participants(settings, tree, phase, member, frozen):
    """The figure of a hold is the union's participants before the initiative plus its authors not
    already counted there: a known main author with two new co-authors adds two (issue 12 counts
    both in one statement)."""
    settings.SANGKIEN_PLAUSIBILITY_FLOOR = 5
    for _ in range(39):  # g11 has 40 members
        InitiativeFactory(phase=phase, unit=tree["g11"])
    first = _submit(member, phase, tree["g11"], 1)  # the 40th participant: at the limit, not beyond
    first.refresh_from_db()
    assert first.held_at is None
    initiative, _created = submit_initiative(
        programme=phase.programme, unit=tree["g11"], unit_unlisted=False, actor=member,
        details=InitiativeDetails(sector_block=SectorBlock.PUBLIC, title="Sổ tay điện tử của tổ",
                                  description="<p>Ba người cùng làm sổ tay điện tử cho tổ.</p>"),
        authors=[AuthorData(full_name=member.full_name, phone=member.phone),
                 AuthorData(full_name="Trần Văn Bình", phone="0913000222"),
                 AuthorData(full_name="Lê Thị Cúc", phone="0913000333")])
    initiative.refresh_from_db()
    assert initiative.held_reason == {"rule": MEMBERS, "figure": 42, "basis": 40, "limit": 40}


def test_the_daily_count_is_of_the_local_day(settings, tree, phase, member):
    """The day of the daily rule is Vietnam's (Asia/Ho_Chi_Minh): two sent at 23:50 on 4/4 do not
    count on 5/4 (the day's bounds go to the database as it stores times, on SQLite and PostgreSQL)."""
    settings.SANGKIEN_PLAUSIBILITY_DAILY_PER_PERSON = 2
    with time_machine.travel(local_datetime(2021, 4, 4, 23, 50), tick=False):
        evening = [_submit(member, phase, tree["g11"], n) for n in range(2)]
    with time_machine.travel(local_datetime(2021, 4, 5, 0, 10), tick=False):
        morning = [_submit(member, phase, tree["g11"], n) for n in range(2, 5)]
    for initiative in (*evening, *morning):
        initiative.refresh_from_db()
    assert [i.held_at is not None for i in (*evening, *morning)] == [False, False, False, False, True]
    assert morning[2].held_reason == {"rule": DAILY, "figure": 3, "basis": 2, "limit": 2}


def test_participants_are_those_of_counted_initiatives_in_the_unions_subtree(settings, tree, phase, member, frozen):
    """A sibling union's initiative, one marked as a duplicate and one held do not make their
    authors participants of g11 (``Initiative.objects.counted()``, the unit's own subtree)."""
    settings.SANGKIEN_PLAUSIBILITY_FLOOR = 5
    counted = [InitiativeFactory(phase=phase, unit=tree["g11"]) for _ in range(39)]  # g11 has 40 members
    InitiativeFactory(phase=phase, unit=tree["g12"])
    InitiativeFactory(phase=phase, unit=tree["g11"], duplicate_of=counted[0])
    InitiativeFactory(phase=phase, unit=tree["g11"], held_at=dt.datetime(2021, 4, 5, tzinfo=dt.UTC))
    fortieth = _submit(member, phase, tree["g11"], 1)
    fortieth.refresh_from_db()
    assert fortieth.held_at is None
    beyond = _submit(UserFactory(full_name="Trần Văn Bình", phone="+84913000222"), phase, tree["g11"], 2)
    beyond.refresh_from_db()
    assert beyond.held_reason == {"rule": MEMBERS, "figure": 41, "basis": 40, "limit": 40}

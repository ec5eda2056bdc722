"""Counting per unit: subtree totals, unknown-unit row, targets, ranks, filters."""

import datetime as dt

import pytest
import time_machine

from sangkien.core.clock import local_datetime
from sangkien.initiatives.models import (
    Authorship,
    Initiative,
    InitiativeQuerySet,
    SectorBlock,
    Status,
)
from sangkien.programmes.models import Target
from sangkien.reports.counting import unit_table
from sangkien.reports.rollup import rollup_unit_table
from sangkien.reports.rollup_refresh import refresh
from tests.factories import InitiativeFactory, PersonFactory

pytestmark = pytest.mark.django_db
NO_MARGIN = dt.timedelta(0)


def add(phase, unit, n=1, **kw):
    return [InitiativeFactory(phase=phase, unit=unit, **kw) for _ in range(n)]


def test_rows_per_child_with_unknown_row_targets_and_ranks(tree, phase):
    programme = phase.programme
    add(phase, tree["g11"], 3, status=Status.APPROVED, benefit_vnd=2_000_000)
    add(phase, tree["g12"], 1, status=Status.REJECTED, benefit_vnd=9_000_000)
    add(phase, tree["d1"], 2, unit_unlisted=True)  # "my unit is not listed" under Yên Khánh
    add(phase, tree["p1"], 1, unit_unlisted=True)  # no unit below the province
    add(phase, tree["g21"], 4, sector_block=SectorBlock.PUBLIC)
    Target.objects.create(programme=programme, unit=tree["root"], value=10)
    Target.objects.create(programme=programme, unit=tree["d1"], value=4)
    Target.objects.create(programme=programme, unit=tree["d2"], value=8)

    national = unit_table(programme=programme, unit=tree["root"])
    assert national.total.submitted == 11 and national.total.approved == 3
    assert national.total.target == 10 and national.total.pct_of_target == 110.0
    by_code = {r.code: r for r in national.rows}
    assert by_code["37"].submitted == 7 and by_code["37"].approved == 3
    assert by_code["37"].target == 4  # nothing set on the province: the sum below it
    assert by_code["37"].pct_of_target == 175.0
    assert by_code["24"].submitted == 4 and by_code["24"].target == 8 and by_code["24"].pct_of_target == 50.0
    assert [r.code for r in national.rows] == ["37", "24", None]
    assert [r.rank for r in national.rows] == [1, 2, None]
    assert by_code[None].submitted == 0

    province = unit_table(programme=programme, unit=tree["p1"])
    assert [(r.code, r.submitted) for r in province.rows] == [("375", 6), (None, 1)]
    district = unit_table(programme=programme, unit=tree["d1"])
    assert [(r.code, r.submitted, r.approved) for r in district.rows] == [
        ("375-0001", 3, 3), ("375-0002", 1, 0), (None, 2, 0)]
    assert district.total.benefit_vnd == 3 * 2_000_000 + 2 * 1_000_000  # rejected not counted
    assert by_code["24"].submitted_public == 4 and by_code["37"].submitted_enterprise == 7


def test_participants_are_distinct_people(tree, phase):
    person = PersonFactory()
    a, b = add(phase, tree["g11"], 2, author=person)
    b.authorships.create(person=PersonFactory(), position=1)
    add(phase, tree["g21"], 1, author=person)  # the same person in another province
    table = unit_table(programme=phase.programme, unit=tree["root"])
    assert table.total.participants == 2
    assert {r.code: r.participants for r in table.rows} == {"37": 2, "24": 1, None: 0}


def test_ties_share_a_rank_and_rank_by_is_selectable(tree, phase):
    add(phase, tree["g11"], 2)
    add(phase, tree["g12"], 2, status=Status.APPROVED)
    table = unit_table(programme=phase.programme, unit=tree["d1"])
    assert [(r.code, r.rank) for r in table.rows if r.code] == [("375-0001", 1), ("375-0002", 1)]
    by_approved = unit_table(programme=phase.programme, unit=tree["d1"], rank_by="approved")
    assert [(r.code, r.rank) for r in by_approved.rows if r.code] == [("375-0002", 1), ("375-0001", None)]


def test_units_with_nothing_get_no_rank_and_ties_share_one(tree, phase):
    """Issue 8.11: a unit with 0 initiatives is not "2nd of 63"; it has no rank."""
    add(phase, tree["g21"], 3)
    national = unit_table(programme=phase.programme, unit=tree["root"])
    assert [(r.code, r.rank) for r in national.rows] == [("24", 1), ("37", None), (None, None)]
    add(phase, tree["g11"], 3)
    national = unit_table(programme=phase.programme, unit=tree["root"])
    assert [(r.code, r.rank) for r in national.rows] == [("24", 1), ("37", 1), (None, None)]
    district = unit_table(programme=phase.programme, unit=tree["d2"], rank_by="approved")
    assert [(r.code, r.rank) for r in district.rows if r.code] == [("213-0001", None), ("213-0002", None)]


def test_date_range_uses_local_days_both_ends_included(tree, phase):
    InitiativeFactory(phase=phase, unit=tree["g11"], submitted_at=local_datetime(2021, 4, 1, 0, 0))
    InitiativeFactory(phase=phase, unit=tree["g11"], submitted_at=local_datetime(2021, 4, 2, 23, 59, 59))
    InitiativeFactory(phase=phase, unit=tree["g11"], submitted_at=local_datetime(2021, 4, 3, 0, 0))
    InitiativeFactory(phase=phase, unit=tree["g11"], submitted_at=local_datetime(2021, 3, 31, 23, 59, 59))
    table = unit_table(programme=phase.programme, unit=tree["d1"],
                       date_from=dt.date(2021, 4, 1), date_to=dt.date(2021, 4, 2))
    assert table.total.submitted == 2


def test_phase_filter_and_phase_targets(tree, phase):
    from tests.factories import PhaseFactory
    phase2 = PhaseFactory(programme=phase.programme, number=2,
                          submission_start=local_datetime(2021, 6, 1), submission_end=local_datetime(2021, 9, 1))
    add(phase, tree["g11"], 2)
    add(phase2, tree["g11"], 3)
    Target.objects.create(programme=phase.programme, phase=phase, unit=tree["d1"], value=4)
    Target.objects.create(programme=phase.programme, phase=phase2, unit=tree["d1"], value=6)
    one = unit_table(programme=phase.programme, unit=tree["p1"], phase=phase)
    assert one.rows[0].submitted == 2 and one.rows[0].target == 4 and one.rows[0].pct_of_target == 50.0
    whole = unit_table(programme=phase.programme, unit=tree["p1"])
    assert whole.rows[0].submitted == 5 and whole.rows[0].target == 10


def test_dashboard_pages_show_counts_without_personal_data(client, tree, phase):
    person = PersonFactory(full_name="Hoàng Thị Bí Mật", phone="+84911222333")
    add(phase, tree["g11"], 1, author=person, status=Status.APPROVED)
    html = client.get(f"/thong-ke/{phase.programme.slug}/{tree['p1'].code}/").content.decode()
    assert "LĐLĐ huyện Yên Khánh" in html and 'data-testid="total-approved">1<' in html
    assert "Hoàng Thị Bí Mật" not in html and "0911" not in html


def test_what_is_counted_is_one_definition_behind_live_counting_and_the_rollups(tree, phase, monkeypatch):
    """Duplicates and held initiatives are left out by ``Initiative.objects.counted()``; live
    counting, the roll-ups' full build and their unit-by-unit refresh all follow it — and only it."""
    programme, unit = phase.programme, tree["p1"]
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        kept = add(phase, tree["g11"], 2, status=Status.APPROVED)
        duplicate = add(phase, tree["g11"], 1, duplicate_of=kept[0])[0]
        held = add(phase, tree["g12"], 1, held_at=local_datetime(2021, 4, 5, 10))[0]
        add(phase, tree["d1"], 1, unit_unlisted=True, duplicate_of=kept[1], held_at=local_datetime(2021, 4, 5, 10))
        assert set(Initiative.objects.counted()) == set(kept)
        counted_authors = Authorship.objects.filter(InitiativeQuerySet.counted_filter("initiative__"))
        assert {a.initiative_id for a in counted_authors} == {i.pk for i in kept}
        assert refresh(margin=NO_MARGIN).reason == "first run"  # the grouped build

    def figures():
        live, rolled = unit_table(programme=programme, unit=unit), rollup_unit_table(programme=programme, unit=unit)
        both = {(r.code, r.submitted, r.approved, r.participants) for r in live.rows}
        assert both == {(r.code, r.submitted, r.approved, r.participants) for r in rolled.rows}
        assert (rolled.total.submitted, rolled.total.participants) == (live.total.submitted,
                                                                        live.total.participants)
        return live.total.submitted, live.total.approved, live.total.participants

    assert figures() == (2, 2, 2)
    with time_machine.travel(local_datetime(2021, 4, 5, 11), tick=False):  # unit by unit from here
        Initiative.objects.filter(pk=duplicate.pk).update(duplicate_of=None, updated_at=local_datetime(2021, 4, 5, 11))
        assert refresh(margin=NO_MARGIN).programmes[programme.pk].mode == "incremental"
    assert figures() == (3, 2, 3)
    # One switch: were held initiatives counted, every figure would count them.
    monkeypatch.setattr(InitiativeQuerySet, "UNCOUNTED_WHEN", ("duplicate_of",))
    with time_machine.travel(local_datetime(2021, 4, 5, 12), tick=False):
        Initiative.objects.filter(pk=held.pk).update(updated_at=local_datetime(2021, 4, 5, 12))
        assert refresh(margin=NO_MARGIN).programmes[programme.pk].mode == "incremental"
    assert figures() == (4, 2, 4)

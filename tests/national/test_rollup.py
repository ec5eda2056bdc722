"""Roll-ups: rollup_unit_table equals counting.unit_table on random data, before and after
incremental refreshes, repairs and tree moves; the refresh is incremental; few queries."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict

import pytest
import time_machine
from django.db import connection

from sangkien.core.clock import local_datetime
from sangkien.initiatives.models import Initiative, SectorBlock, Status
from sangkien.programmes.models import Target
from sangkien.reports.counting import RANK_FIELDS, unit_table
from sangkien.reports.rollup import rollup_unit_table
from sangkien.reports.rollup_refresh import refresh
from sangkien.units.models import Unit, UnitKind
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    PhaseFactory,
    ProgrammeFactory,
    make_unit,
)

pytestmark = pytest.mark.django_db
NO_MARGIN = dt.timedelta(0)
FIRST_DAY, LAST_DAY = dt.date(2022, 1, 8), dt.date(2023, 7, 26)


@pytest.fixture
def world(tree):
    """The shared tree plus a retired province with data, a retired district without,
    two phases, targets of every kind."""
    root = tree["root"]
    p3 = make_unit(root, code="93", name="LĐLĐ tỉnh Hậu Giang", kind=UnitKind.PROVINCIAL_FEDERATION)
    g31 = make_unit(p3, code="93-0001", name="CĐCS Công ty Mía đường", member_count=300)
    d3 = make_unit(tree["p1"], code="377", name="LĐLĐ huyện Yên Mô", kind=UnitKind.DISTRICT_FEDERATION)
    g13 = make_unit(tree["d1"], code="375-0003", name="CĐCS Trường Tiểu học Khánh Nhạc", member_count=35)
    programme = ProgrammeFactory(slug="1-trieu-sang-kien", organiser=root)
    phase_1 = PhaseFactory(programme=programme, number=1, submission_start=local_datetime(2022, 1, 8),
                           submission_end=local_datetime(2022, 6, 1))
    phase_2 = PhaseFactory(programme=programme, number=2, submission_start=local_datetime(2022, 6, 1),
                           submission_end=local_datetime(2023, 9, 2))
    Target.objects.create(programme=programme, unit=root, value=400)
    Target.objects.create(programme=programme, unit=tree["p1"], value=150)
    Target.objects.create(programme=programme, phase=phase_1, unit=tree["d1"], value=30)
    Target.objects.create(programme=programme, phase=phase_2, unit=tree["d1"], value=40)
    Target.objects.create(programme=programme, phase=phase_2, unit=tree["d2"], value=25)
    units = {**tree, "p3": p3, "g31": g31, "d3": d3, "g13": g13}
    return {"units": {k: Unit.objects.get(pk=u.pk) for k, u in units.items()}, "programme": programme,
            "phases": [phase_1, phase_2]}


def random_moment(rng: random.Random) -> dt.datetime:
    day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    if rng.random() < 0.3:  # the edges of a local day
        return local_datetime(day.year, day.month, day.day, *rng.choice([(0, 0, 0), (23, 59, 59)]))
    return local_datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60))


def add_random(world, rng: random.Random, people: list, count: int) -> list[Initiative]:
    """``count`` initiatives: mostly on grassroots unions, some "not listed" on upper units
    and the root; phases mostly matching the date; co-authors from anywhere; a few without author."""
    units = world["units"]
    choices = [units[k] for k in ("g11", "g12", "g13", "g21", "g22", "g31")] * 4
    choices += [units[k] for k in ("d1", "d2", "p1", "p2", "root")]
    phase_1, phase_2 = world["phases"]
    made = []
    for _ in range(count):
        at = random_moment(rng)
        phase = (phase_1 if at < phase_2.submission_start else phase_2) if rng.random() < 0.9 \
            else rng.choice([phase_1, phase_2])
        unit = rng.choice(choices)
        initiative = InitiativeFactory(
            phase=phase, unit=unit, unit_unlisted=not unit.is_grassroots, submitted_at=at,
            author=rng.choice(people), status=rng.choice(list(Status.values)),
            sector_block=rng.choice(list(SectorBlock.values)),
            benefit_vnd=rng.choice([None, 0, 1_500_000, 25_000_000, 3_000_000_000]))
        for position in range(1, rng.choice([1, 1, 1, 2, 3])):
            co_author = rng.choice(people)
            if not initiative.authorships.filter(person=co_author).exists():
                initiative.authorships.create(person=co_author, position=position)
        if rng.random() < 0.03:
            initiative.authorships.all().delete()  # no author recorded
        made.append(initiative)
    return made


def ranges(rng: random.Random) -> list[tuple[dt.date | None, dt.date | None]]:
    def day() -> dt.date:
        return FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))

    a, b = sorted([day(), day()])
    return [(None, None), (a, b), (a, None), (None, b), (b, b), (dt.date(2022, 5, 1), dt.date(2022, 6, 30)),
            (b + dt.timedelta(days=1), a)]


def assert_same(world, rng: random.Random, *, units=None, rank_fields=("participants",), samples=4) -> int:
    """Compare the two tables for every unit and phase and ``samples`` of :func:`ranges`;
    returns the number of comparisons."""
    programme = world["programme"]
    made = 0
    for unit in units or [Unit.objects.get(pk=u.pk) for u in world["units"].values()]:
        for phase in (None, *world["phases"]):
            for date_from, date_to in rng.sample(ranges(rng), samples):
                for rank_by in rank_fields:
                    kwargs = {"programme": programme, "unit": unit, "phase": phase, "date_from": date_from,
                              "date_to": date_to, "rank_by": rank_by}
                    expected, got = unit_table(**kwargs), rollup_unit_table(**kwargs)
                    where = (unit.code, phase and phase.number, date_from, date_to, rank_by)
                    assert asdict(got.total) == asdict(expected.total), where
                    assert [asdict(r) for r in got.rows] == [asdict(r) for r in expected.rows], where
                    made += 1
    return made


def test_rollup_equals_unit_table_through_changes(world):
    rng = random.Random(5)
    units = world["units"]
    people = [PersonFactory() for _ in range(25)]
    with time_machine.travel(local_datetime(2023, 7, 1, 8), tick=True):
        add_random(world, rng, people, 220)
        retired = units["p3"]
        retired.is_active = False
        retired.save(update_fields=["is_active"])
        assert refresh().reason == "first run"
        assert assert_same(world, rng, samples=7) > 250
        national = Unit.objects.get(pk=units["root"].pk)
        assert_same(world, rng, units=[national], rank_fields=RANK_FIELDS, samples=7)

    with time_machine.travel(local_datetime(2023, 7, 1, 9), tick=True):  # an hour later: changes
        changed = add_random(world, rng, people + [PersonFactory() for _ in range(3)], 12)
        for initiative in rng.sample(list(Initiative.objects.exclude(pk__in=[i.pk for i in changed])), 6):
            initiative.status = Status.APPROVED if initiative.status != Status.APPROVED else Status.REJECTED
            initiative.save(update_fields=["status", "updated_at"])  # what review_initiative does
            changed.append(initiative)
        below_leaf = make_unit(units["g11"], code="375-0001-01", name="Tổ công đoàn Khối 1")  # a leaf gets a child
        changed.append(InitiativeFactory(phase=world["phases"][1], unit=below_leaf, author=people[0],
                                         submitted_at=local_datetime(2023, 6, 30, 10)))
        report = refresh(margin=NO_MARGIN)
        assert report.reason == "" and report.changed == len({i.pk for i in changed})
        assert report.programmes[world["programme"].pk].mode == "incremental"
        world["units"]["below"] = below_leaf
        assert_same(world, rng)

    with time_machine.travel(local_datetime(2023, 7, 1, 10), tick=True):
        # a bulk import committed long after its rows were stamped: older than the watermark
        late = add_random(world, rng, people, 5)
        Initiative.objects.filter(pk__in=[i.pk for i in late]).update(updated_at=local_datetime(2023, 6, 1))
        report = refresh(margin=NO_MARGIN)
        assert report.changed == 0 and report.programmes[world["programme"].pk].mode == "repair"
        assert_same(world, rng)

    with time_machine.travel(local_datetime(2023, 7, 1, 11), tick=True):
        Unit.objects.move(Unit.objects.get(pk=units["d2"].pk), Unit.objects.get(pk=units["p1"].pk), "sorted-child")
        assert refresh(margin=NO_MARGIN).reason == "moved units"
        assert_same(world, rng)
        assert refresh(margin=NO_MARGIN).programmes == {}  # nothing changed since


def test_duplicates_leave_the_rollups_like_they_leave_counting(world):
    rng = random.Random(9)
    people = [PersonFactory() for _ in range(10)]
    with time_machine.travel(local_datetime(2023, 7, 1, 8), tick=True):
        made = add_random(world, rng, people, 40)
        refresh()
    with time_machine.travel(local_datetime(2023, 7, 1, 9), tick=True):
        original, copy = made[0], made[1]
        copy.duplicate_of = original
        copy.save(update_fields=["duplicate_of", "updated_at"])
        refresh(margin=NO_MARGIN)
    root = world["units"]["root"]
    kept = rollup_unit_table(programme=world["programme"], unit=root).total.submitted
    assert kept == 39
    assert unit_table(programme=world["programme"], unit=root).total.submitted == kept
    assert_same(world, rng, units=[root, world["units"]["p1"]])


def test_dashboard_computation_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    rng = random.Random(3)
    people = [PersonFactory() for _ in range(10)]
    units = world["units"]
    for i in range(15):  # many children must not mean many queries
        make_unit(units["d2"], code=f"213-{i + 10:04d}", name=f"CĐCS số {i}")
    add_random(world, rng, people, 30)
    refresh()
    programme, (phase_1, _phase_2) = world["programme"], world["phases"]
    # Exact (reports.rollup's "Cost"): children, targets, built?, sums, + spanning gaps with two ends.
    # PostgreSQL: + SAVEPOINT, SET LOCAL (no parallel workers), RELEASE.  A leaf's children
    # are known without a query (treebeard: numchild).
    extra = 3 if connection.vendor == "postgresql" else 0
    for code in ("TLD", "24", "213", "375-0001"):
        unit = Unit.objects.get(code=code)
        leaf = int(unit.is_leaf())
        with django_assert_num_queries(5 + extra - leaf):
            rollup_unit_table(programme=programme, unit=unit, phase=phase_1, date_from=dt.date(2022, 3, 1),
                              date_to=dt.date(2022, 5, 31), rank_by="participants")
        with django_assert_num_queries(4 + extra - leaf):
            rollup_unit_table(programme=programme, unit=unit)


def test_before_the_first_refresh_it_counts_live(world):
    add_random(world, random.Random(1), [PersonFactory()], 5)
    root = world["units"]["root"]
    assert rollup_unit_table(programme=world["programme"], unit=root).total.submitted == 5
    with pytest.raises(ValueError):
        rollup_unit_table(programme=world["programme"], unit=root, rank_by="nonsense")


def test_the_four_ways_of_counting_spanning_gaps_agree(world):
    from sangkien.reports.rollup import _SPANNING, _spanning, _sums

    rng = random.Random(11)
    add_random(world, rng, [PersonFactory() for _ in range(8)], 120)
    refresh()
    programme = world["programme"]
    ids = list(Unit.objects.values_list("pk", flat=True))
    for date_from, date_to in [r for r in ranges(rng) if r[0] and r[1] and r[0] <= r[1]]:
        sums = _sums(programme, ids, 0, date_from, date_to)
        answers = [_spanning(programme, set(sums), sums, 0, date_from, date_to, way=way) for way in _SPANNING]
        assert all(answer == answers[0] for answer in answers), (date_from, date_to)
        assert any(answers[0].values())


def test_command_and_self_scheduling_task(world, settings):
    import io
    import json

    from django.core.management import call_command
    from django_tasks import default_task_backend

    from sangkien.reports.tasks import refresh_rollups

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    add_random(world, random.Random(2), [PersonFactory()], 5)
    with time_machine.travel(local_datetime(2023, 7, 1, 8), tick=True):
        out = io.StringIO()
        call_command("refresh_rollups", stdout=out)
        assert json.loads(out.getvalue())["reason"] == "first run"
        assert refresh_rollups.call(60) == {"skipped": True}  # another chain refreshed a moment ago
        assert default_task_backend.results == []
    with time_machine.travel(local_datetime(2023, 7, 1, 8, 5), tick=True):
        assert refresh_rollups.call(60)["reason"] == ""
        (queued,) = default_task_backend.results
        assert queued.args == [60] and queued.task.run_after > local_datetime(2023, 7, 1, 8, 5, 59)


def test_refreshed_at_tells_when_the_figures_were_counted(world):
    from sangkien.reports.rollup import refreshed_at

    assert refreshed_at() is None
    with time_machine.travel(local_datetime(2023, 7, 1, 8), tick=False):
        refresh()
    assert refreshed_at() == local_datetime(2023, 7, 1, 8)

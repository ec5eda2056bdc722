"""Reorganisation plans (issue 11): preview, apply, what follows the units; a move, a dissolution,
a merge and a reused code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from sangkien.core.clock import local_datetime
from sangkien.core.models import AuditEntry
from sangkien.initiatives.models import Initiative, Status
from sangkien.programmes.models import Target
from sangkien.roles.models import Role, RoleAssignment
from sangkien.units.models import (
    PlanStatus,
    ReorganisationPlan,
    SuccessionKind,
    Unit,
    UnitSuccession,
)
from sangkien.units.reorganisation import PlanRefused, PlanRow, apply_plan, preview_plan
from tests.factories import InitiativeFactory, PhaseFactory, ProgrammeFactory, UserFactory

ON = dt.date(2025, 7, 1)
BEFORE = ON - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def open_phase(tree):
    """A programme of today (window 01/06/2025 – 30/06/2026) organised by the TLĐ."""
    programme = ProgrammeFactory(slug="hom-nay", name="Chương trình hôm nay", organiser=tree["root"])
    return PhaseFactory(programme=programme, number=1, submission_start=local_datetime(2025, 6, 1),
                        submission_end=local_datetime(2026, 7, 1))


def parent_of(unit: Unit) -> Unit | None:
    return Unit.objects.get_parent(Unit.objects.get(pk=unit.pk), update=True)


def assert_tree_sound() -> None:
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_a_move_retires_the_old_row_and_makes_a_new_one(tree, phase):
    sent = InitiativeFactory(phase=phase, unit=tree["g11"])
    officer = UserFactory()
    RoleAssignment.objects.create(user=officer, unit=tree["g11"], role=Role.UNIT_ADMIN)

    preview = apply_plan(rows=[PlanRow("375-0001", "move", ON, new_parent_code="213")], actor=None)

    old = Unit.objects.get(pk=tree["g11"].pk)
    new = Unit.objects.by_code("375-0001", on=ON)
    assert (old.retired_on, old.is_active, parent_of(old).code) == (ON, False, "375")  # keeps its place
    assert (new.valid_from, new.is_active, parent_of(new).code, new.name) == (ON, True, "213", old.name)
    assert new.member_count == old.member_count
    link = UnitSuccession.objects.get(predecessor=old)
    assert (link.successor, link.kind, link.plan_id) == (new, SuccessionKind.MOVE, preview.plan_id)
    sent.refresh_from_db()
    assert sent.unit_id == old.pk  # the 2021 initiative counts where it counted
    assert set(Initiative.objects.in_subtree(tree["p1"])) == {sent}
    assert RoleAssignment.objects.filter(user=officer, unit__in=[old, new]).count() == 2  # the role followed
    assert [(c.kind, c.old_code, c.new_parent) for c in preview.changes] == [("move", "375-0001",
                                                                               "LĐLĐ huyện Yên Thế")]
    assert ReorganisationPlan.objects.get(pk=preview.plan_id).status == PlanStatus.APPLIED
    assert AuditEntry.objects.filter(action="unit.moved").count() == 1
    assert AuditEntry.objects.filter(action="units.plan_applied").count() == 1
    assert_tree_sound()


def test_a_dissolution_moves_the_units_below_and_lists_the_roles(tree, open_phase):
    district_officer, school_officer = UserFactory(), UserFactory()
    RoleAssignment.objects.create(user=district_officer, unit=tree["d1"], role=Role.UNIT_ADMIN)
    RoleAssignment.objects.create(user=school_officer, unit=tree["g11"], role=Role.UNIT_ADMIN)
    Target.objects.create(programme=open_phase.programme, unit=tree["d1"], value=50)
    pending = InitiativeFactory(phase=open_phase, unit=tree["g12"], status=Status.SUBMITTED,
                                submitted_at=local_datetime(2025, 6, 20, 9))

    rows = [PlanRow("375", "dissolve", ON, new_parent_code="37", line=2)]
    preview = preview_plan(rows=rows, actor=None)

    assert preview.ok
    assert [(c.kind, c.old_code, c.carried) for c in preview.changes] == [("dissolve", "375", 2)]
    reassign = {(f.what, f.from_unit) for f in preview.to_reassign}
    assert reassign == {("role", "LĐLĐ huyện Yên Khánh"), ("target", "LĐLĐ huyện Yên Khánh")}
    follows = {(f.what, f.to_unit) for f in preview.follows if f.to_unit}
    assert follows == {("role", "CĐCS Trường THCS Khánh Hội"), ("review", "CĐCS Công ty May Yên Khánh")}
    assert not UnitSuccession.objects.exists() and Unit.objects.count() == 9  # a preview writes nothing

    apply_plan(rows=rows, actor=None)

    assert Unit.objects.by_code("375", on=ON) is None
    assert Unit.objects.by_code("375", on=BEFORE) == tree["d1"]
    for code in ("375-0001", "375-0002"):
        assert parent_of(Unit.objects.by_code(code, on=ON)).code == "37"
    assert RoleAssignment.objects.get(user=district_officer).unit_id == tree["d1"].pk  # kept, listed
    assert Target.objects.get(programme=open_phase.programme).unit_id == tree["d1"].pk
    pending.refresh_from_db()
    assert pending.unit == Unit.objects.by_code("375-0002", on=ON)  # its review goes to the new row
    assert_tree_sound()


def test_a_dissolution_with_units_left_below_is_refused(tree):
    rows = [PlanRow("375", "dissolve", ON, line=2)]

    with pytest.raises(PlanRefused) as info:
        apply_plan(rows=rows, actor=None)

    (error,) = info.value.preview.errors
    assert (error.line, error.code, error.reason) == (2, "375", "has_active_units")
    assert "375-0001" in error.message
    assert not Unit.objects.filter(retired_on__isnull=False).exists()
    assert not ReorganisationPlan.objects.exists()


def test_a_merge_into_a_reused_code(tree, open_phase):
    """Bắc Giang (24) becomes the new Bắc Ninh (24); Ninh Bình (37) merges into it (a made-up but shaped case)."""
    Target.objects.create(programme=open_phase.programme, unit=tree["p1"], value=100)
    Target.objects.create(programme=open_phase.programme, unit=tree["p2"], value=70)
    rows = [PlanRow("37", "merge", ON, merge_into_code="24", line=3),
            PlanRow("24", "rename", ON, new_name="LĐLĐ tỉnh Bắc Ninh", line=2)]

    preview = apply_plan(rows=rows, actor=None)

    new = Unit.objects.by_code("24", on=ON)
    assert new.name == "LĐLĐ tỉnh Bắc Ninh" and new.pk != tree["p2"].pk
    assert Unit.objects.by_code("24", on=BEFORE) == tree["p2"]
    merged = Unit.objects.get(pk=tree["p1"].pk)
    assert (merged.retired_on, merged.merged_into) == (ON, new)
    assert {u.code for u in Unit.objects.get_children(new)} == {"213", "375"}  # both districts came along
    assert Unit.objects.as_of(ON).filter(code__in=["213-0001", "375-0001"]).count() == 2
    assert Target.objects.get(programme=open_phase.programme).value == 170  # added up on the successor
    assert Target.objects.get(programme=open_phase.programme).unit == new
    assert [c.kind for c in preview.changes] == ["rename", "merge"]  # the rename ran first
    assert new.pk == UnitSuccession.objects.get(predecessor=tree["p2"]).successor_id
    assert_tree_sound()


def test_each_bad_row_is_reported_and_nothing_is_written(tree):
    rows = [PlanRow("99", "move", ON, new_parent_code="37", line=2),
            PlanRow("375", "teleport", ON, line=3),
            PlanRow("213", "move", dt.date(2026, 3, 1), new_parent_code="37", line=4),
            PlanRow("375-0001", "merge", ON, line=5),
            PlanRow("213-0001", "move", ON, new_parent_code="213-0001", line=6)]

    preview = preview_plan(rows=rows, actor=None)

    assert [e.line for e in preview.errors] == [2, 3, 4, 5]  # row 6 only fails when it runs: not reached
    assert "99" in preview.errors[0].message
    with pytest.raises(PlanRefused):
        apply_plan(rows=rows[4:], actor=None)
    assert not UnitSuccession.objects.exists()


def test_a_plan_is_applied_once(tree):
    user = UserFactory()
    rows = [PlanRow("375-0001", "rename", ON, new_name="CĐCS Trường THCS Khánh Hội (mới)")]
    plan = ReorganisationPlan.objects.create(created_by=user, created_at=local_datetime(2026, 1, 10),
                                             rows=[r.as_json() for r in rows])

    first = apply_plan(rows=rows, actor=user, plan=plan)
    second = apply_plan(rows=rows, actor=user, plan=plan)

    assert first.applied and second.applied and not second.changes
    assert UnitSuccession.objects.count() == 1
    plan.refresh_from_db()
    assert (plan.status, plan.applied_by, plan.summary["rename"]) == (PlanStatus.APPLIED, user, 1)
    assert PlanRow.from_json(plan.rows[0]) == rows[0]


def test_a_split_and_a_create(tree):
    rows = [PlanRow("37-KCN", "create", ON, new_parent_code="37", new_name="Công đoàn các KCN tỉnh Ninh Bình",
                    kind="industrial_zone_union"),
            PlanRow("375-0002", "split", ON, new_code="375-0002A", new_name="CĐCS May Yên Khánh 1"),
            PlanRow("375-0002", "split", ON, new_code="375-0002B", new_name="CĐCS May Yên Khánh 2",
                    new_parent_code="37-KCN")]

    apply_plan(rows=rows, actor=None)

    kcn = Unit.objects.by_code("37-KCN", on=ON)
    assert parent_of(kcn).code == "37" and kcn.valid_from == ON
    assert parent_of(Unit.objects.by_code("375-0002A", on=ON)).code == "375"
    assert parent_of(Unit.objects.by_code("375-0002B", on=ON)).code == "37-KCN"
    assert UnitSuccession.objects.filter(predecessor=tree["g12"], kind=SuccessionKind.SPLIT).count() == 2
    assert Unit.objects.by_code("375-0002", on=ON) is None
    assert_tree_sound()

"""rename / move / merge / retire: the tree changes, initiatives stay where they were counted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from sangkien.core.models import AuditEntry
from sangkien.initiatives.models import Initiative
from sangkien.units.models import Unit
from sangkien.units.services import merge_units, move_unit, rename_unit, retire_unit
from tests.factories import InitiativeFactory, UserFactory


def parent_code(unit: Unit) -> str | None:
    parent = Unit.objects.get_parent(Unit.objects.get(pk=unit.pk))
    return parent.code if parent else None


def assert_tree_sound() -> None:
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_rename_unit(tree):
    actor = UserFactory()
    unit = rename_unit(unit=tree["g11"], name="  CĐCS Trường THCS Khánh Hội mới ", actor=actor)

    assert Unit.objects.get(pk=unit.pk).name == "CĐCS Trường THCS Khánh Hội mới"
    entry = AuditEntry.objects.get(action="unit.renamed")
    assert (entry.actor, entry.unit, entry.object_id) == (actor, tree["g11"], str(tree["g11"].pk))
    assert entry.data == {"old_name": "CĐCS Trường THCS Khánh Hội", "new_name": "CĐCS Trường THCS Khánh Hội mới"}
    assert unit.history.first().history_user == actor

    rename_unit(unit=unit, name="CĐCS Trường THCS Khánh Hội mới", actor=actor)
    assert AuditEntry.objects.count() == 1  # unchanged: nothing written

    with pytest.raises(ValidationError) as info:
        rename_unit(unit=unit, name="   ", actor=actor)
    assert info.value.code == "empty_name"


def test_move_unit(tree):
    unit = move_unit(unit=tree["g11"], new_parent=tree["d2"], actor=None)

    assert parent_code(unit) == "213"
    assert tree["p2"].contains(unit)
    entry = AuditEntry.objects.get(action="unit.moved")
    assert entry.data == {"from_parent": "375", "to_parent": "213"}
    codes = [u.code for u in Unit.objects.get_children(Unit.objects.get(code="213"))]
    assert codes == ["213-0001", "213-0002", "375-0001"]
    assert_tree_sound()


def test_move_unit_refuses_its_own_subtree(tree):
    for new_parent in (tree["d1"], tree["g11"], tree["p1"]):
        with pytest.raises(ValidationError) as info:
            move_unit(unit=tree["p1"], new_parent=new_parent, actor=None)
        assert info.value.code == "move_into_subtree"
        assert "LĐLĐ tỉnh Ninh Bình" in info.value.messages[0]
    assert parent_code(tree["p1"]) == "TLD"
    assert not AuditEntry.objects.exists()


def test_merge_units_keeps_initiatives_where_they_counted(tree, phase):
    # Behaviour changed in issue 11: the merged unit and its subtree keep their place (historical
    # programmes count as they counted); the units below come along under the target as new rows.
    on_source = InitiativeFactory(phase=phase, unit=tree["d1"])
    on_child = InitiativeFactory(phase=phase, unit=tree["g11"])
    on_target = InitiativeFactory(phase=phase, unit=tree["g21"])

    source = merge_units(source=tree["d1"], target=tree["d2"], actor=None, on=dt.date(2025, 7, 1))

    target = Unit.objects.get(pk=tree["d2"].pk)
    assert not source.is_active
    assert source.retired_on == dt.date(2025, 7, 1)
    assert source.merged_into == target
    assert parent_code(source) == "37"  # stays in its place
    assert [u.pk for u in Unit.objects.get_children(source)] == [tree["g11"].pk, tree["g12"].pk]
    moved = Unit.objects.by_code("375-0001", on=dt.date(2025, 7, 1))
    assert parent_code(moved) == "213" and moved.pk != tree["g11"].pk
    assert moved.valid_from == dt.date(2025, 7, 1)
    assert Unit.objects.by_code("375-0001", on=dt.date(2025, 6, 30)) == tree["g11"]
    assert set(Initiative.objects.in_subtree(tree["p1"])) == {on_source, on_child}
    assert set(Initiative.objects.in_subtree(target)) == {on_target}
    on_source.refresh_from_db()
    assert on_source.unit_id == tree["d1"].pk  # never re-pointed
    entry = AuditEntry.objects.get(action="unit.merged")
    assert entry.data["successor"] == "213" and entry.data["effective_on"] == "2025-07-01"
    assert AuditEntry.objects.filter(action="unit.moved").count() == 2  # the two grassroots unions came along
    assert_tree_sound()


def test_merge_provinces_defaults_to_the_local_date(tree, phase):
    InitiativeFactory(phase=phase, unit=tree["g12"])
    with time_machine.travel(dt.datetime(2025, 6, 30, 17, 30, tzinfo=dt.UTC), tick=False):  # 00:30 on 1/7 local
        source = merge_units(source=tree["p1"], target=tree["p2"], actor=None)

    target = Unit.objects.get(pk=tree["p2"].pk)
    assert source.retired_on == dt.date(2025, 7, 1)
    assert parent_code(Unit.objects.by_code("375", on=dt.date(2025, 7, 1))) == "24"
    assert parent_code(Unit.objects.by_code("375", on=dt.date(2025, 6, 30))) == "37"
    assert Initiative.objects.in_subtree(target).count() == 0  # counted in Ninh Bình, as then
    assert Initiative.objects.in_subtree(source).count() == 1
    assert not target.contains(source)
    assert_tree_sound()


def test_merge_refusals(tree):
    with pytest.raises(ValidationError) as info:
        merge_units(source=tree["p1"], target=tree["d1"], actor=None)
    assert info.value.code == "merge_into_itself"

    merge_units(source=tree["g11"], target=tree["g12"], actor=None)
    with pytest.raises(ValidationError) as info:
        merge_units(source=tree["g11"], target=tree["g21"], actor=None)
    assert info.value.code == "source_retired"
    with pytest.raises(ValidationError) as info:
        merge_units(source=tree["g22"], target=tree["g11"], actor=None)
    assert info.value.code == "target_retired"
    assert AuditEntry.objects.filter(action="unit.merged").count() == 1


def test_retire_unit(tree):
    with pytest.raises(ValidationError) as info:
        retire_unit(unit=tree["d1"], actor=None)
    assert info.value.code == "has_active_units"

    retire_unit(unit=tree["g11"], actor=None, on=dt.date(2024, 12, 31))
    retire_unit(unit=tree["g12"], actor=None, on=dt.date(2024, 12, 31))
    unit = retire_unit(unit=tree["d1"], actor=None, on=dt.date(2025, 1, 1))

    assert not unit.is_active
    assert unit.retired_on == dt.date(2025, 1, 1)
    assert unit.merged_into is None
    assert parent_code(unit) == "37"  # stays in place
    assert AuditEntry.objects.filter(action="unit.retired").count() == 3
    with pytest.raises(ValidationError) as info:
        retire_unit(unit=unit, actor=None)
    assert info.value.code == "already_retired"

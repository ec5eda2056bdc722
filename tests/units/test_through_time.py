"""Units through time (issue 11): rows with periods, "the tree as of D", codes reused across time."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.db import IntegrityError, transaction

from sangkien.units.models import SuccessionKind, Unit, UnitKind, UnitSuccession
from sangkien.units.services import merge_units, retire_unit
from tests.factories import make_unit

REORG = dt.date(2025, 7, 1)


@pytest.fixture
def reused_code(tree):
    """Code 24: Bắc Giang until 2025-07-01, the new Bắc Ninh from then on (DOMAIN.md)."""
    old = tree["p2"]
    Unit.objects.filter(pk=old.pk).update(retired_on=REORG, is_active=False)
    new = make_unit(tree["root"], code="24", name="LĐLĐ tỉnh Bắc Ninh", kind=UnitKind.PROVINCIAL_FEDERATION,
                    valid_from=REORG)
    UnitSuccession.objects.create(predecessor=old, successor=new, kind=SuccessionKind.MERGE, effective_on=REORG)
    old.refresh_from_db()
    return old, new


def test_a_code_names_one_unit_at_a_date(reused_code):
    old, new = reused_code

    assert Unit.objects.by_code("24", on=dt.date(2023, 9, 1)) == old
    assert Unit.objects.by_code("24", on=REORG - dt.timedelta(days=1)) == old
    assert Unit.objects.by_code(" 24 ", on=REORG) == new
    with time_machine.travel(dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC), tick=False):
        assert Unit.objects.by_code("24") == new  # no date: the unit existing today
    with time_machine.travel(dt.datetime(2024, 1, 5, 3, tzinfo=dt.UTC), tick=False):
        assert Unit.objects.by_code("24") == old
    assert Unit.objects.by_code("99", on=REORG) is None


def test_the_tree_as_of_a_date_is_one_query(reused_code, tree, django_assert_num_queries):
    old, new = reused_code
    with django_assert_num_queries(1):
        before = set(Unit.objects.as_of(dt.date(2024, 12, 31)).values_list("pk", flat=True))
    after = set(Unit.objects.as_of(REORG).values_list("pk", flat=True))

    assert old.pk in before and new.pk not in before
    assert new.pk in after and old.pk not in after
    assert tree["g21"].pk in before & after  # a row without dates exists throughout


def test_two_current_rows_cannot_share_a_code(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_unit(tree["root"], code="37", name="LĐLĐ tỉnh Ninh Bình (mới)", kind=UnitKind.PROVINCIAL_FEDERATION)


def test_successor_on_follows_the_links(reused_code, tree):
    old, new = reused_code

    assert old.successor_on(dt.date(2024, 1, 1)) == old
    assert old.successor_on(REORG) == new
    assert tree["g21"].successor_on(REORG) == tree["g21"]


def test_merge_and_retire_record_successions(tree):
    merge_units(source=tree["d2"], target=tree["p2"], actor=None, on=REORG)
    retire_unit(unit=tree["g11"], actor=None, on=REORG)

    merged = UnitSuccession.objects.get(predecessor=tree["d2"])
    assert (merged.successor, merged.kind, merged.effective_on) == (tree["p2"], SuccessionKind.MERGE, REORG)
    dissolved = UnitSuccession.objects.get(predecessor=tree["g11"])
    assert (dissolved.successor, dissolved.kind, dissolved.effective_on) == (None, SuccessionKind.DISSOLVE, REORG)


def test_the_migration_backfills_successions_of_merged_and_retired_units(tree):
    Unit.objects.filter(pk=tree["d2"].pk).update(retired_on=REORG, is_active=False, merged_into=tree["p2"])
    Unit.objects.filter(pk=tree["g11"].pk).update(retired_on=REORG, is_active=False)
    Unit.objects.filter(pk=tree["g12"].pk).update(is_active=False)  # no date: nothing invented
    migration = importlib.import_module("sangkien.units.migrations.0002_units_through_time")

    migration.backfill_successions(apps, None)

    links = {(s.predecessor_id, s.successor_id, s.kind, s.effective_on) for s in UnitSuccession.objects.all()}
    assert links == {(tree["d2"].pk, tree["p2"].pk, "merge", REORG), (tree["g11"].pk, None, "dissolve", REORG)}

"""Programmes count as they counted; on request the same figures regrouped on a later tree (issue 11).

Bắc Giang (24) becomes the new Bắc Ninh (24) on 1/7/2025 and Ninh Bình (37) merges into it: the
2021 programme's table for 24 stays Bắc Giang's; ``--tree-as-of 2025-07-01`` shows one row for the
new unit, and the dashboard's ``?cay=`` switch does the same.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from sangkien.units.models import Unit
from sangkien.units.reorganisation import PlanRow, apply_plan
from tests.factories import InitiativeFactory, PersonFactory

ON = dt.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def counted(tree, phase):
    """8 initiatives of the 2021 programme; one person authored in both provinces."""
    phase.programme.is_published = True
    phase.programme.save()
    both = PersonFactory()
    for unit, count in (("g11", 2), ("g12", 1), ("g21", 3), ("d1", 1), ("p1", 1)):
        for _i in range(count):
            InitiativeFactory(phase=phase, unit=tree[unit])
    InitiativeFactory(phase=phase, unit=tree["g11"], author=both)
    InitiativeFactory(phase=phase, unit=tree["g22"], author=both)
    return phase.programme


def stats(programme, unit: str, *extra: str) -> list[dict]:
    out = io.StringIO()
    call_command("stats", "--programme", programme.slug, "--unit", unit, "--format", "json", *extra, stdout=out)
    return json.loads(out.getvalue())


def reorganise() -> None:
    apply_plan(rows=[PlanRow("24", "rename", ON, new_name="LĐLĐ tỉnh Bắc Ninh"),
                     PlanRow("37", "merge", ON, merge_into_code="24")], actor=None)


def test_a_programme_counts_as_it_counted_and_regroups_on_request(counted):
    before = {code: stats(counted, code) for code in ("24", "37", "TLD")}

    reorganise()

    assert {code: stats(counted, code) for code in ("24", "37", "TLD")} == before
    regrouped = stats(counted, "TLD", "--tree-as-of", "2025-07-01")
    rows = {r["code"]: r for r in regrouped["rows"]}
    assert set(rows) == {"24", None}  # one row: the new Bắc Ninh (Bắc Giang + Ninh Bình)
    assert rows["24"]["name"] == "LĐLĐ tỉnh Bắc Ninh"
    assert rows["24"]["submitted"] == 10 and rows["24"]["participants"] == 9  # one person in both
    assert regrouped["unit"]["submitted"] == before["TLD"]["unit"]["submitted"] == 10
    assert regrouped["unit"]["participants"] == before["TLD"]["unit"]["participants"] == 9

    inside = {r["code"]: r["submitted"] for r in stats(counted, "24", "--tree-as-of", "2025-07-01")["rows"]}
    assert inside == {"213": 4, "375": 5, None: 1}  # Ninh Bình's own initiative: the unknown row


def test_the_dashboard_switch(client, counted):
    reorganise()
    url = reverse("reports:dashboard", args=[counted.slug, "TLD"])

    own = client.get(url).content.decode()
    today = client.get(url + "?cay=2026-01-10").content.decode()

    assert 'data-testid="tree-switch"' in own and "?cay=2026-01-10" in own
    assert "LĐLĐ tỉnh Ninh Bình" in own and "LĐLĐ tỉnh Bắc Giang" in own
    assert "LĐLĐ tỉnh Bắc Ninh" in today and "LĐLĐ tỉnh Ninh Bình" not in today
    assert "Xem theo cây đơn vị của chương trình" in today
    assert client.get(reverse("reports:dashboard", args=[counted.slug, "24"]) + "?cay=2026-01-10").status_code == 200
    new_24 = Unit.objects.by_code("24", on=ON)
    assert new_24.name in client.get(reverse("reports:dashboard", args=[counted.slug, "24"])
                                     + "?cay=2026-01-10").content.decode()

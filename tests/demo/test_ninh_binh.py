"""Scenario ninh-binh-2021: its initiatives are in the duplicate index and
their texts fit their units (issue 8 items 3 and 13)."""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from django.core.management import call_command

from sangkien.duplicates.similar import similar_to
from sangkien.initiatives.models import Initiative
from sangkien.units.models import Unit
from tests.demo.fit import assert_texts_fit_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    call_command("load_scenario", "ninh-binh-2021", stdout=io.StringIO())
    return Initiative.objects.filter(programme__slug="75-nghin-2021")


def test_the_index_is_in_step_after_loading(scenario):
    out = io.StringIO()
    call_command("rebuild_duplicate_index", "--check", stdout=out)
    assert f"{scenario.count():,} initiatives: 0 missing from the duplicate index, 0 stale." in out.getvalue()


def test_the_copies_of_khanh_cu_are_reported_to_each_other(scenario):
    school = Unit.objects.get(name="CĐCS Trường THCS Khánh Cư")
    copies = defaultdict(list)
    for initiative in scenario.filter(unit=school):
        copies[initiative.title].append(initiative)
    group = max(copies.values(), key=len)
    assert len(group) >= 4
    for initiative in group:
        likely = {m.initiative.pk for m in similar_to(initiative, top=10) if m.likely_duplicate}
        assert likely >= {i.pk for i in group if i != initiative}, initiative.title


def test_texts_fit_their_units_and_names_keep_their_words(scenario):
    assert_texts_fit_units(scenario)
    for initiative in scenario.select_related("unit"):
        job = initiative.authorships.select_related("person").get(position=0).person.job
        if "Trường" in initiative.unit.name and "UBND" not in initiative.unit.name:
            assert job in {"Giáo viên", "Nhân viên thư viện"}, (initiative.unit.name, job)
        if "Công ty" in initiative.unit.name:
            assert job in {"Công nhân", "Kỹ sư", "Tổ trưởng sản xuất"}, (initiative.unit.name, job)
    names = list(Unit.objects.filter(code__startswith="37").values_list("name", flat=True))
    assert not [n for n in names if re.search(r"(?<!thị )trấn", n.lower())]  # "Thị trấn Yên Ninh" cut in two
    assert "CĐCS Trường Tiểu học Yên Ninh" in names
    assert "CĐCS Công ty TNHH May Yên Khánh 1" in names

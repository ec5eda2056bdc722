"""Scenario national-2023 (letter 001, Bắc Giang, 26/7/2023) at a small scale, and its figures at scale 1."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min, Q

from sangkien.core.clock import LOCAL_TZ, start_of_day
from sangkien.demo.apportion import apportion
from sangkien.demo.scenarios import national_2023 as scenario
from sangkien.duplicates.detector import MAX_POSTING
from sangkien.duplicates.models import BandKey, FrequentKey
from sangkien.initiatives.models import SNAPSHOT_FIELDS, Authorship, Initiative, Person, Status
from sangkien.units.models import Unit, UnitKind
from tests.demo.fit import assert_texts_fit_units

SCALE = "0.01"


def check_index() -> str:
    """``rebuild_duplicate_index --check`` (raises ``CommandError`` when the index is not in step)."""
    out = io.StringIO()
    call_command("rebuild_duplicate_index", "--check", stdout=out)
    return out.getvalue()


def stats(*args: str) -> dict:
    out = io.StringIO()
    call_command("stats", "--programme", scenario.SLUG, "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def pct(count: int, target: int) -> float:
    return float((Decimal(count) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_figures_at_scale_1_are_the_letters():
    figures = scenario.province_figures(1)
    assert sum(figures.participants.values()) == 350_405
    assert sum(figures.initiatives.values()) == 1_892_577
    assert sum(figures.targets.values()) == 1_000_000 and len(figures.targets) == 63
    assert (figures.participants["24"], figures.initiatives["24"]) == (9_115, 54_746)
    assert pct(1_892_577, scenario.TARGET) == 189.3
    for scale in (1, 0.1, 0.01, 0.001):
        f = scenario.province_figures(scale)
        bg_p, bg_i = f.participants["24"], f.initiatives["24"]
        ahead = {c for c in f.participants if f.participants[c] > bg_p and f.initiatives[c] > bg_i}
        behind = {c for c in f.participants if f.participants[c] < bg_p and f.initiatives[c] < bg_i}
        assert len(ahead) == 7 and len(behind) == 55, scale
    with pytest.raises(ValueError):
        scenario.province_figures(0.0001)


def test_apportion_respects_total_and_caps():
    shares = apportion(100, {"a": 5, "b": 3, "c": 2}, {"a": 40})
    assert shares == {"a": 40, "b": 36, "c": 24}
    with pytest.raises(ValueError):
        apportion(10, {"a": 1, "b": 1}, {"a": 2, "b": 3})


@pytest.mark.django_db
def test_small_scale_keeps_the_shape():
    out = io.StringIO()
    call_command("load_scenario", "national-2023", "--scale", SCALE, stdout=out)
    assert "'created': True" in out.getvalue()
    figures = scenario.province_figures(float(SCALE))

    for rank_by in ("submitted", "participants"):
        doc = stats("--unit", "TLD", "--rank-by", rank_by)
        total, rows = doc["unit"], doc["rows"]
        assert total["submitted"] == round(1_892_577 * 0.01) == 18_926
        assert total["participants"] == round(350_405 * 0.01) == 3_504
        assert total["target"] == 1_000_000 and total["pct_of_target"] == pct(18_926, 1_000_000)
        provinces = [r for r in rows if r["code"]]
        assert len(provinces) == 63 and rows[-1]["code"] is None
        assert sum(r["submitted"] for r in rows) == total["submitted"]
        assert sum(r["participants"] for r in rows) == total["participants"]  # each person in one province
        assert sum(r["target"] for r in provinces) == 1_000_000
        by_code = {r["code"]: r for r in provinces}
        assert by_code["24"]["rank"] == 8
        assert [r["rank"] for r in provinces[6:9]] == [7, 8, 9]  # no tie at rank 8
        assert by_code["24"]["participants"] == figures.participants["24"] == 91
        assert by_code["24"]["submitted"] == figures.initiatives["24"] == 547
        for row in provinces:
            assert row["pct_of_target"] == pct(row["submitted"], row["target"])

    province = stats("--unit", "24")
    assert province["unit"]["submitted"] == 547
    assert sum(r["submitted"] for r in province["rows"]) == 547
    assert {r["code"] for r in province["rows"]} >= {"213", "24-VC", "24-KCN", "24-GD", "24-YT", "24-NN", None}

    # units, people, dates and statuses look like the programme's
    grassroots = Unit.objects.filter(kind=UnitKind.GRASSROOTS)
    assert grassroots.count() == 1_300 and not grassroots.filter(member_count__isnull=True).exists()
    assert Person.objects.annotate(n=Count("authorships")).filter(n=0).count() == 0
    # each authorship keeps what was "typed": its person's details (pages and exports show these)
    differs = Q()
    for name in SNAPSHOT_FIELDS:
        differs |= ~Q(**{name: F(f"person__{name}")})
    assert not Authorship.objects.filter(differs).exists()
    assert not Authorship.objects.filter(full_name="").exists()
    span = Initiative.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    assert span["first"].astimezone(LOCAL_TZ).date() >= dt.date(2022, 1, 8)
    assert span["last"] < scenario.AS_OF
    phase_1 = Initiative.objects.filter(phase__number=1)
    assert phase_1.aggregate(last=Max("submitted_at"))["last"].astimezone(LOCAL_TZ).date() <= dt.date(2022, 5, 31)
    last_week = phase_1.filter(submitted_at__gte=start_of_day(dt.date(2022, 5, 25))).count()
    assert last_week > 0.25 * phase_1.count()  # the surge before phase 1 closes
    assert Initiative.objects.filter(status=Status.APPROVED).count() > 0.7 * 18_926
    assert Initiative.objects.filter(unit_unlisted=True).exists()
    assert len(set(Initiative.objects.values_list("tracking_code", flat=True))) == 18_926
    assert "18,926 initiatives: 0 missing from the duplicate index, 0 stale." in check_index()
    # the keys held by too many initiatives are counted, so the similar panel skips them (issue 12)
    held = BandKey.objects.values("band_key").annotate(n=Count("pk")).filter(n__gt=MAX_POSTING)
    frequent = dict(FrequentKey.objects.values_list("band_key", "postings"))
    assert frequent and frequent == dict(held.values_list("band_key", "n"))
    assert_texts_fit_units(Initiative.objects.all())

    again = io.StringIO()
    call_command("load_scenario", "national-2023", "--scale", SCALE, stdout=again)
    assert "'created': False" in again.getvalue() and Initiative.objects.count() == 18_926


def test_scale_is_only_for_scalable_scenarios():
    with pytest.raises(CommandError):
        call_command("load_scenario", "ninh-binh-2021", "--scale", "0.5", stdout=io.StringIO())

"""Scenario national-2026 and the 2025 tree (issue 11): a programme open now on the 34
provinces, while the historical programmes print what they printed before."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from sangkien.core.clock import local_now, now
from sangkien.demo.scenarios import national_2023, national_2026
from sangkien.initiatives.models import Initiative
from sangkien.programmes.models import Programme, Target
from sangkien.units.models import Commune, Unit, UnitKind
from tests.demo.fit import assert_texts_fit_units

pytestmark = pytest.mark.django_db


def stats(programme: str, unit: str, *args: str) -> str:
    out = io.StringIO()
    call_command("stats", "--programme", programme, "--unit", unit, *args, stdout=out)
    return out.getvalue()


def load(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ninh_binh_2021_prints_the_same_after_the_2025_tree_and_the_2026_programme(client):
    load("load_national_units")
    load("load_scenario", "ninh-binh-2021")
    before = {fmt: stats("75-nghin-2021", "37", "--format", fmt, "--rank-by", "approved")
              for fmt in ("json", "csv")}

    load("load_national_units", "--as-of", "2025-07-01")
    out = load("load_scenario", "national-2026")

    assert "'created': True" in out
    home = client.get("/").content.decode()
    assert national_2026.NAME in home and "75 nghìn sáng kiến" in home
    html = client.get("/thong-ke/75-nghin-2021/37/").content.decode()
    assert 'data-testid="total-approved">229<' in html
    assert 'data-testid="total-participants">358<' in html
    assert json.loads(before["json"])["unit"]["approved"] == 229  # the letter's figure
    for fmt, text in before.items():
        assert stats("75-nghin-2021", "37", "--format", fmt, "--rank-by", "approved") == text, fmt


def test_a_programme_of_today_on_the_34_provinces():
    load("load_national_units")
    load("load_national_units", "--as-of", "2025-07-01")
    out = load("load_scenario", "national-2026")

    assert "'created': True" in out
    programme = Programme.objects.get(slug=national_2026.SLUG)
    assert programme.open_phase(now()) is not None
    today = local_now().date()
    provinces = Unit.objects.as_of(today).filter(kind=UnitKind.PROVINCIAL_FEDERATION)
    assert provinces.count() == 34
    targets = Target.objects.filter(programme=programme, phase=None)
    assert targets.get(unit__code="TLD").value == national_2026.TARGET
    province_targets = targets.filter(unit__in=provinces)
    assert province_targets.count() == 34
    assert sum(t.value for t in province_targets) == national_2026.TARGET
    commune_unions = Unit.objects.as_of(today).filter(kind=UnitKind.COMMUNE_UNION)
    assert commune_unions.count() == len(national_2026.PROVINCES) * national_2026.COMMUNE_UNIONS
    for union in commune_unions:
        province, commune = union.code.split("-")
        assert Commune.objects.get(code=commune).province_code == province
        assert union.valid_from == dt.date(2025, 7, 1)  # formed with the 2025 tree
        grassroots = Unit.objects.get_children(union).filter(kind=UnitKind.GRASSROOTS)
        assert grassroots.count() == 3 and not grassroots.filter(member_count__isnull=True).exists()
    initiatives = Initiative.objects.filter(programme=programme)
    assert initiatives.count() == national_2026.INITIATIVES
    assert not initiatives.exclude(unit__in=Unit.objects.as_of(today)).exists()
    assert_texts_fit_units(initiatives)
    kcn = Unit.objects.by_code("24-KCN")
    assert kcn.name == "Công đoàn các Khu công nghiệp tỉnh Bắc Ninh"
    assert initiatives.filter(unit__path__startswith=kcn.path).exists()
    doc = json.loads(stats(national_2026.SLUG, "TLD", "--format", "json"))
    assert doc["unit"]["submitted"] == national_2026.INITIATIVES
    assert len([r for r in doc["rows"] if r["code"]]) == 34

    again = load("load_scenario", "national-2026")
    assert "'created': False" in again and initiatives.count() == national_2026.INITIATIVES


def test_bac_giang_8th_prints_the_same_after_the_2025_tree():
    load("load_scenario", "national-2023", "--scale", "0.001")
    figures = national_2023.province_figures(0.001)
    before = stats(national_2023.SLUG, "24", "--format", "json")
    ranking = stats(national_2023.SLUG, "TLD", "--format", "json", "--rank-by", "participants")

    load("load_national_units", "--as-of", "2025-07-01")

    assert stats(national_2023.SLUG, "24", "--format", "json") == before
    assert stats(national_2023.SLUG, "TLD", "--format", "json", "--rank-by", "participants") == ranking
    doc = json.loads(ranking)
    bac_giang = next(r for r in doc["rows"] if r["code"] == "24")
    assert bac_giang["name"] == "LĐLĐ tỉnh Bắc Giang" and bac_giang["rank"] == 8
    assert (bac_giang["participants"], bac_giang["submitted"]) == (figures.participants["24"],
                                                                  figures.initiatives["24"])
    assert Unit.objects.by_code("24").name == "LĐLĐ tỉnh Bắc Ninh"
    # the same figures regrouped on the 2025 tree: the new Ninh Bình (Ninh Bình, Hà Nam, Nam Định) is one row
    old = {r["code"]: r["submitted"] for r in doc["rows"]}
    regrouped = json.loads(stats(national_2023.SLUG, "TLD", "--format", "json", "--tree-as-of", "2025-07-01"))
    rows = {r["code"]: r["submitted"] for r in regrouped["rows"] if r["code"]}
    assert len(rows) == 34 and regrouped["unit"]["submitted"] == doc["unit"]["submitted"]
    assert rows["37"] == old["35"] + old["36"] + old["37"]
    assert rows["24"] == old["24"] + old["27"]

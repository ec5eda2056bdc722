"""The 2025 national tree from ``vietnamadminunits`` (issue 11): 34 provinces, 3,321 communes,
the 63 → 34 mapping, and the plan that reorganises the pre-2025 tree into it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sangkien.units import national2025
from sangkien.units.models import Commune, Unit, UnitKind
from sangkien.units.national import load_divisions, load_national_units, national_rows


def test_the_published_data_has_34_provinces_and_3321_communes():
    provinces = national2025.provinces()
    communes = national2025.communes()

    assert national2025.package_version() == "1.0.4"
    assert len(provinces) == 34
    assert len(communes) == 3_321
    assert len({c.code for c in communes}) == 3_321
    assert Counter(c.kind for c in communes) == {"commune": 2_621, "ward": 687, "special_zone": 13}
    per_province = Counter(c.province_code for c in communes)
    assert set(per_province) == {p.code for p in provinces}
    assert national2025.communes()[0].name == "Phường Ba Đình"


def test_old_provinces_map_onto_the_new_ones_with_their_official_codes():
    by_code = {p.code: p for p in national2025.provinces()}
    # DOMAIN.md: 24 = Bắc Giang until 2025, now the new Bắc Ninh (Bắc Giang + old Bắc Ninh 27) …
    assert by_code["24"].name == "Tỉnh Bắc Ninh" and by_code["24"].predecessors == ("24", "27")
    assert by_code["24"].federation_name == "LĐLĐ tỉnh Bắc Ninh"
    # … the new Ninh Bình (37) took in Hà Nam and Nam Định; Cần Thơ Sóc Trăng and Hậu Giang …
    assert by_code["37"].predecessors == ("35", "36", "37")
    assert by_code["92"].predecessors == ("92", "93", "94")
    assert by_code["56"].predecessors == ("56", "58")  # Ninh Thuận joined Khánh Hòa
    assert by_code["46"].federation_name == "LĐLĐ thành phố Huế"
    assert by_code["15"].name == "Tỉnh Lào Cai" and by_code["15"].predecessors == ("10", "15")
    assert by_code["42"].predecessors == ("42",)  # Hà Tĩnh stayed itself
    successors = national2025.successor_codes()
    # every one of the 63 provinces of the pre-2025 tree (vietnam-provinces 0.6.0) has one successor
    assert sorted(successors) == sorted(f"{p['code']:02d}" for p in load_divisions())
    assert (successors["27"], successors["35"], successors["36"], successors["01"]) == ("24", "37", "37", "01")


def test_federation_rows_are_the_34_provinces_with_their_two_unions():
    rows = national2025.federation_rows()
    assert len(rows) == 34 * 3
    assert ("37-KCN", "Công đoàn các Khu công nghiệp tỉnh Ninh Bình", "industrial_zone_union", "37") in rows
    assert ("24-VC", "Công đoàn Viên chức tỉnh Bắc Ninh", "public_employees_union", "24") in rows
    assert ("79", "LĐLĐ thành phố Hồ Chí Minh", "provincial_federation", "TLD") in rows


# --- the plan (pure: no database) ---------------------------------------------

def pre_2025_tree(*extra: tuple[str, str, str, str]) -> list[national2025.TreeUnit]:
    """The tree ``load_national_units`` builds (63 provinces, districts, 5 unions each) plus ``extra``."""
    rows = [(r.code, r.name, r.kind, r.parent_code) for r in national_rows()]
    return [national2025.TreeUnit(code=c, name=n, kind=k, parent_code=p) for c, n, k, p in [*rows, *extra]]


def by_action(rows) -> dict[str, list]:
    out: dict[str, list] = {}
    for row in rows:
        out.setdefault(row.action, []).append(row)
    return out


def test_the_plan_from_the_pre_2025_tree():
    grassroots = [("375-0001", "CĐCS Trường THCS Khánh Cư", "grassroots", "375"),
                  ("27-KCN-0001", "CĐCS Công ty TNHH Samsung Display", "grassroots", "27-KCN"),
                  ("35-0001", "CĐCS Sở Tư pháp Hà Nam", "grassroots", "35"),
                  ("37-VC-0001", "CĐCS Sở Tư pháp", "grassroots", "37-VC")]
    rows = national2025.plan_rows(pre_2025_tree(*grassroots))
    actions = by_action(rows)

    assert [r.action for r in rows[-87:]] == ["merge"] * 87
    assert {r.effective_on for r in rows} == {dt.date(2025, 7, 1)}
    assert "create" not in actions  # every 2025 province code was a province code before
    renamed = {r.code: r.new_name for r in actions["rename"]}
    assert renamed["24"] == "LĐLĐ tỉnh Bắc Ninh"  # code 24: Bắc Giang until 2025, the new Bắc Ninh after
    moved = {r.code: (r.new_parent_code, r.new_name) for r in actions["move"]}
    # the unions of a renamed province go under its new row, with their new names
    assert moved.pop("24-KCN") == ("24", "Công đoàn các Khu công nghiệp tỉnh Bắc Ninh")
    assert moved.pop("24-VC") == ("24", "Công đoàn Viên chức tỉnh Bắc Ninh")
    assert renamed["15"] == "LĐLĐ tỉnh Lào Cai"  # code 15 was Yên Bái
    assert list(renamed) == ["15", "24", "44", "52", "80", "82", "91"]
    merged = {r.code: r.merge_into_code for r in actions["merge"]}
    assert len(merged) == 29 * 3  # 63 - 34 provinces, each with its KCN and VC unions
    assert (merged["27"], merged["35"], merged["36"], merged["27-KCN"], merged["35-VC"]) == (
        "24", "37", "37", "24-KCN", "37-VC")
    dissolved = {r.code for r in actions["dissolve"]}
    assert len(dissolved) == 696 + 63 * 3  # every district federation, every GD / YT / NN sector union
    assert {"375", "37-GD", "27-NN", "24-YT"} <= dissolved
    assert len(moved) == 2 * 6 + 3  # the other renamed provinces' unions; the grassroots below
    assert {code: parent for code, (parent, name) in moved.items() if "-0" in code} == {
        "375-0001": "37", "27-KCN-0001": "24-KCN", "35-0001": "37"}  # 37-VC-0001 stays where it is


def test_the_plan_of_the_2025_tree_is_empty_and_from_nothing_creates_it():
    rows = [("TLD", "Tổng Liên đoàn Lao động Việt Nam", "national", ""), *national2025.federation_rows(),
            ("37-14380", "Công đoàn phường Hoa Lư", "commune_union", "37"),
            ("37-14380-N01", "CĐCS Trường Tiểu học Hoa Lư", "grassroots", "37-14380"),
            ("37-N01", "CĐCS Sở Tư pháp", "grassroots", "37")]
    tree = [national2025.TreeUnit(code=c, name=n, kind=k, parent_code=p) for c, n, k, p in rows]
    assert national2025.plan_rows(tree) == []
    # a union marked inactive without an end date (scenario ninh-binh-2021: "not there in 2021")
    inactive = [dataclasses.replace(u, is_active=False) if u.code == "37-KCN" else u for u in tree]
    assert [(r.code, r.action, r.new_name) for r in national2025.plan_rows(inactive)] == [
        ("37-KCN", "rename", "Công đoàn các Khu công nghiệp tỉnh Ninh Bình")]

    created = national2025.plan_rows(tree[:1])
    assert [r.action for r in created] == ["create"] * 102
    assert [(r.code, r.new_name, r.kind, r.new_parent_code) for r in created] == national2025.federation_rows()


# --- the command ------------------------------------------------------------------

def as_of(day: dt.date, **filters):
    return Unit.objects.as_of(day).filter(**filters)


BEFORE, AFTER = dt.date(2025, 6, 30), dt.date(2025, 7, 1)


@pytest.mark.django_db
def test_load_as_of_2025_reorganises_the_pre_2025_tree_once():
    load_national_units()
    yen_khanh = Unit.objects.by_code("375")
    school = Unit.objects.add_child(yen_khanh, {"code": "375-0001", "name": "CĐCS Trường THCS Khánh Cư",
                                                "kind": UnitKind.GRASSROOTS, "member_count": 40})
    out = io.StringIO()
    call_command("load_national_units", "--as-of", "2025-07-01", stdout=out)

    assert ("tạo mới 0, đổi tên 7, chuyển 15, giải thể 885, sáp nhập 87 đơn vị; "
            "xã, phường, đặc khu: thêm 3321, cập nhật 0") in out.getvalue()
    assert as_of(AFTER, kind=UnitKind.PROVINCIAL_FEDERATION).count() == 34
    assert as_of(BEFORE, kind=UnitKind.PROVINCIAL_FEDERATION).count() == 63
    assert not as_of(AFTER, kind__in=[UnitKind.DISTRICT_FEDERATION, UnitKind.SECTOR_UNION]).exists()
    assert as_of(BEFORE, kind=UnitKind.DISTRICT_FEDERATION).count() == 696
    # the code 24 names Bắc Giang before 1/7/2025 and the new Bắc Ninh from then on
    assert Unit.objects.by_code("24", on=BEFORE).name == "LĐLĐ tỉnh Bắc Giang"
    bac_ninh = Unit.objects.by_code("24", on=AFTER)
    assert bac_ninh.name == "LĐLĐ tỉnh Bắc Ninh" and bac_ninh.valid_from == AFTER
    assert Unit.objects.by_code("27", on=AFTER) is None
    ninh_binh = Unit.objects.by_code("37", on=AFTER)
    assert sorted(u.code for u in Unit.objects.get_children(ninh_binh).filter(
        pk__in=as_of(AFTER))) == ["37-KCN", "37-VC", "375-0001"]
    # the school moved directly under the province; its old row stays where it was, retired
    moved = Unit.objects.by_code("375-0001", on=AFTER)
    assert moved.pk != school.pk and Unit.objects.get_parent(moved) == ninh_binh
    school.refresh_from_db()
    assert school.retired_on == AFTER and Unit.objects.get_parent(school) == yen_khanh
    assert Commune.objects.count() == 3_321
    assert Commune.objects.get(code="00004").name == "Phường Ba Đình"
    assert set(Commune.objects.values_list("valid_from", flat=True)) == {AFTER}

    count, history = Unit.objects.count(), Unit.history.count()
    again = io.StringIO()
    call_command("load_national_units", "--as-of", "2025-07-01", stdout=again)
    assert ("tạo mới 0, đổi tên 0, chuyển 0, giải thể 0, sáp nhập 0 đơn vị; "
            "xã, phường, đặc khu: thêm 0, cập nhật 0") in again.getvalue()
    assert (Unit.objects.count(), Unit.history.count()) == (count, history)
    call_command("load_national_units", "--as-of", "2025-07-01", "--check", stdout=io.StringIO())


@pytest.mark.django_db
def test_load_as_of_2025_on_an_empty_database_builds_the_2025_tree():
    with pytest.raises(SystemExit):
        call_command("load_national_units", "--as-of", "2025-07-01", "--check", stdout=io.StringIO())
    call_command("load_national_units", "--as-of", "2025-07-01", "--dry-run", stdout=io.StringIO())
    assert not Unit.objects.exists() and not Commune.objects.exists()

    call_command("load_national_units", "--as-of", "2025-07-01", stdout=io.StringIO())

    assert as_of(AFTER).count() == 1 + 34 * 3
    assert not as_of(BEFORE).exclude(code="TLD").exists()
    assert Unit.objects.by_code("37-KCN").name == "Công đoàn các Khu công nghiệp tỉnh Ninh Bình"
    assert Unit.objects.by_code("24").name == "LĐLĐ tỉnh Bắc Ninh"
    assert Commune.objects.count() == 3_321
    assert national2025.is_loaded()


@pytest.mark.django_db
def test_a_date_before_the_2025_tree_is_refused():
    with pytest.raises(CommandError, match="2025-07-01"):
        call_command("load_national_units", "--as-of", "2025-06-30", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("load_national_units", "--as-of", "1/7/2025", stdout=io.StringIO())
    assert not Unit.objects.exists()

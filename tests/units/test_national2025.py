"""The 2025 national tree from ``vietnamadminunits`` (issue 11): 34 provinces, 3,321 communes,
the 63 → 34 mapping, and the plan that reorganises the pre-2025 tree into it."""

from __future__ import annotations

from collections import Counter

from sangkien.units import national2025
from sangkien.units.national import load_divisions


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

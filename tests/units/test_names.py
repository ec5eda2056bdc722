"""Unit names as officers type them resolve inside the scope, never outside (issue 11)."""

from __future__ import annotations

import pytest

from sangkien.units.models import Unit, UnitKind
from sangkien.units.names import matches_search, resolve_unit_name, scope_index
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ninh_binh(tree):
    """The shared tree, with Ninh Bình's other upper-level unions as the letters name them."""
    p1 = tree["p1"]
    units = dict(tree)
    units["tam_diep"] = make_unit(p1, code="370", name="LĐLĐ thành phố Tam Điệp", kind=UnitKind.DISTRICT_FEDERATION)
    units["city"] = make_unit(p1, code="369", name="LĐLĐ thành phố Ninh Bình", kind=UnitKind.DISTRICT_FEDERATION)
    units["vc"] = make_unit(p1, code="37-VC", name="Công đoàn Viên chức tỉnh Ninh Bình",
                            kind=UnitKind.PUBLIC_EMPLOYEES_UNION)
    units["gd"] = make_unit(p1, code="37-GD", name="Công đoàn ngành Giáo dục tỉnh Ninh Bình",
                            kind=UnitKind.SECTOR_UNION)
    units["kcn"] = make_unit(p1, code="37-KCN", name="Công đoàn các Khu công nghiệp tỉnh Ninh Bình",
                             kind=UnitKind.INDUSTRIAL_ZONE_UNION)
    units["vc_bg"] = make_unit(tree["p2"], code="24-VC", name="Công đoàn Viên chức tỉnh Bắc Giang",
                               kind=UnitKind.PUBLIC_EMPLOYEES_UNION)
    for unit in units.values():
        unit.refresh_from_db()
    return units


@pytest.mark.parametrize(("typed", "key"), [
    ("Huyện Yên Khánh", "d1"),
    ("huyen yen khanh", "d1"),
    ("LĐLĐ huyện Yên Khánh", "d1"),
    ("Liên đoàn Lao động huyện Yên Khánh", "d1"),
    ("LDLD  Yên   Khánh", "d1"),
    ("Yên Khánh", "d1"),
    ("Khánh Yên huyện", "d1"),
    ("LĐLĐ huyện Yên Khánh (375)", "d1"),
    ("Tên cũ gõ sai (375)", "d1"),
    ("375", "d1"),
    ("Thành phố Tam Điệp", "tam_diep"),
    ("TP Tam Điệp", "tam_diep"),
    ("TP. Tam Diep", "tam_diep"),
    ("Công đoàn Viên chức tỉnh", "vc"),
    ("CĐ Viên chức", "vc"),
    ("Công đoàn Viên chức tỉnh Ninh Bình", "vc"),
    ("CĐ ngành Giáo dục", "gd"),
    ("Công đoàn Giáo dục tỉnh Ninh Bình", "gd"),
    ("CĐ KCN Ninh Bình", "kcn"),
    ("Thành phố Ninh Bình", "city"),
    ("Tỉnh Ninh Bình", "p1"),
    ("CĐCS Công ty May Yên Khánh", "g12"),
    ("Công ty May Yên Khánh", "g12"),
    ("cong doan co so cong ty may yen khanh", "g12"),
    ("CĐCS Trường THCS Khánh Hội", "g11"),
])
def test_names_as_officers_type_them(ninh_binh, typed, key):
    found = resolve_unit_name(scope=ninh_binh["p1"], raw=typed)
    assert found.unit is not None, (typed, found.error)
    assert found.unit.pk == ninh_binh[key].pk


def test_exact_names_are_marked_exact_and_loose_ones_not(ninh_binh):
    index = scope_index(ninh_binh["p1"])
    assert index.resolve("LĐLĐ huyện Yên Khánh").exact
    assert index.resolve("375").exact
    assert not index.resolve("Huyện Yên Khánh").exact


def test_an_ambiguous_name_offers_the_choices(ninh_binh):
    found = resolve_unit_name(scope=ninh_binh["p1"], raw="Ninh Bình")
    assert found.unit is None
    assert {u.code for u in found.choices} == {"37", "369"}
    assert "LĐLĐ tỉnh Ninh Bình (37)" in found.error
    assert "LĐLĐ thành phố Ninh Bình (369)" in found.error


def test_the_same_name_in_two_provinces_is_ambiguous_only_above_both(ninh_binh):
    assert resolve_unit_name(scope=ninh_binh["p1"], raw="Công đoàn Viên chức").unit.code == "37-VC"
    national = resolve_unit_name(scope=ninh_binh["root"], raw="Công đoàn Viên chức")
    assert {u.code for u in national.choices} == {"37-VC", "24-VC"}


@pytest.mark.parametrize("typed", ["Huyện Yên Thế", "CĐCS Công ty Giày Yên Thế", "213-0002", "24-VC",
                                   "Công đoàn Viên chức tỉnh Bắc Giang"])
def test_a_name_outside_the_scope_is_never_resolved(ninh_binh, typed):
    found = resolve_unit_name(scope=ninh_binh["p1"], raw=typed)
    assert found.unit is None
    assert not found.choices
    assert found.error


def test_not_found(ninh_binh):
    found = resolve_unit_name(scope=ninh_binh["d1"], raw="Thành phố Tam Điệp")  # another district
    assert found.unit is None
    assert "Không tìm thấy đơn vị “Thành phố Tam Điệp”" in found.error


def test_a_retired_name_resolves_to_its_successor_with_a_note(ninh_binh):
    old = make_unit(ninh_binh["d1"], code="375-0099", name="CĐCS Xí nghiệp may Khánh Phú")
    Unit.objects.filter(pk=old.pk).update(is_active=False, merged_into=ninh_binh["g12"])
    found = resolve_unit_name(scope=ninh_binh["p1"], raw="Xí nghiệp may Khánh Phú")
    assert found.unit.pk == ninh_binh["g12"].pk
    assert found.retired.pk == old.pk
    assert found.note == "“CĐCS Xí nghiệp may Khánh Phú” đã sáp nhập vào “CĐCS Công ty May Yên Khánh”."
    assert not found.exact


def test_an_active_unit_wins_over_a_retired_one_of_the_same_name(ninh_binh):
    old = make_unit(ninh_binh["d1"], code="375-0098", name="CĐCS Công ty May Yên Khánh")
    Unit.objects.filter(pk=old.pk).update(is_active=False, retired_on="2020-01-01")
    assert resolve_unit_name(scope=ninh_binh["p1"], raw="Công ty May Yên Khánh").unit.pk == ninh_binh["g12"].pk


def test_a_successor_outside_the_scope_is_an_error(ninh_binh):
    old = make_unit(ninh_binh["d1"], code="375-0097", name="CĐCS Nhà máy chuyển đi")
    Unit.objects.filter(pk=old.pk).update(is_active=False, merged_into=ninh_binh["g22"])
    found = resolve_unit_name(scope=ninh_binh["p1"], raw="Nhà máy chuyển đi")
    assert found.unit is None
    assert "không thuộc phạm vi của bạn" in found.error


def test_a_dissolved_unit_is_an_error(ninh_binh):
    old = make_unit(ninh_binh["d1"], code="375-0096", name="CĐCS Hợp tác xã giải thể")
    Unit.objects.filter(pk=old.pk).update(is_active=False, retired_on="2024-01-01")
    found = resolve_unit_name(scope=ninh_binh["p1"], raw="Hợp tác xã giải thể")
    assert found.unit is None
    assert "đã giải thể" in found.error


@pytest.mark.parametrize(("query", "name", "expected"), [
    ("yen khanh", "LĐLĐ huyện Yên Khánh", True),
    ("Huyện Yên Khánh", "LĐLĐ huyện Yên Khánh", True),
    ("khanh yen", "LĐLĐ huyện Yên Khánh", True),
    ("TP Tam", "LĐLĐ thành phố Tam Điệp", True),
    ("cty may", "CĐCS Công ty May Yên Khánh", False),
    ("may yen", "CĐCS Công ty May Yên Khánh", True),
    ("Tam Điệp", "LĐLĐ huyện Yên Khánh", False),
])
def test_the_chooser_search(query, name, expected):
    assert matches_search(query, name) is expected


def test_a_pre_2025_name_follows_its_successions_to_todays_unit(ninh_binh):
    """Issue 11: the district federation ended on 1/7/2025 and its grassroots union moved under the
    province (a new row, same code); the old name resolves to today's row, with the note."""
    from sangkien.units.models import SuccessionKind, UnitSuccession

    old = ninh_binh["g11"]
    moved = make_unit(ninh_binh["p1"], code="375-0001-M", name="CĐCS Trường THCS Khánh Hội xã Khánh Hội")
    Unit.objects.filter(pk=old.pk).update(is_active=False, retired_on="2025-07-01")
    UnitSuccession.objects.create(predecessor=old, successor=moved, kind=SuccessionKind.MOVE,
                                  effective_on="2025-07-01")
    found = resolve_unit_name(scope=ninh_binh["p1"], raw="CĐCS Trường THCS Khánh Hội")
    assert found.unit.pk == moved.pk
    assert found.note == ("“CĐCS Trường THCS Khánh Hội” đã chuyển đơn vị cấp trên; nay là "
                          "“CĐCS Trường THCS Khánh Hội xã Khánh Hội (375-0001-M)”.")
    renamed = make_unit(ninh_binh["p1"], code="37-CT", name="CĐCS Công ty Cổ phần Tam Điệp")
    Unit.objects.filter(pk=moved.pk).update(is_active=False, retired_on="2025-08-01")
    UnitSuccession.objects.create(predecessor=moved, successor=renamed, kind=SuccessionKind.RENAME,
                                  effective_on="2025-08-01")
    found = resolve_unit_name(scope=ninh_binh["p1"], raw="Trường THCS Khánh Hội")
    assert found.unit.pk == renamed.pk  # two links followed; the note names the first
    assert found.note.startswith("“CĐCS Trường THCS Khánh Hội” đã chuyển đơn vị cấp trên")


@pytest.mark.parametrize(("query", "code"), [("TP Tam Điệp", "370"), ("CĐ Viên chức", "37-VC"),
                                             ("Khánh Yên", "375"), ("cd nganh giao duc", "37-GD")])
def test_the_unit_chooser_finds_names_as_people_type_them(ninh_binh, query, code):
    from sangkien.units.chooser import children_options

    options, _truncated = children_options(ninh_binh["p1"], query)
    assert [c for c, _name in options] == [code]


def test_the_chooser_sends_back_the_sending_to_line(client, ninh_binh):
    """Issue 11, "Confirm the unit": each chooser update replaces the line above the send button
    (hx-swap-oob), the unit and the units above it up to the province; "not listed" says so."""
    import re

    from django.urls import reverse

    def line(params):
        html = client.get(reverse("initiatives:unit_levels"), params).content.decode()
        block = html[html.index('<div id="unit-confirm"'):]
        shown = re.search(r"<p data-confirm-chosen\s*>(.*?)</p>", block, re.S).group(1)
        return block, " ".join(re.sub(r"<[^>]+>", "", shown).split())

    block, text = line({"unit_1": "37", "unit_2": "375", "unit_3": "375-0002"})
    assert 'hx-swap-oob="true"' in block and 'href="#id_unit_2"' in block
    assert text == "Bạn đang gửi cho: CĐCS Công ty May Yên Khánh thuộc LĐLĐ huyện Yên Khánh, LĐLĐ tỉnh Ninh Bình"
    _block, text = line({"unit_1": "37", "unit_2": "375", "unit_3": "__unlisted__"})
    assert text == ("Bạn đang gửi cho: đơn vị của bạn (không có trong danh sách) thuộc LĐLĐ huyện Yên Khánh, "
                    "LĐLĐ tỉnh Ninh Bình")


def test_a_whole_name_wins_over_one_that_leaves_a_place_out(ninh_binh):
    """"Công ty May" is a unit's whole name here; "CĐCS Công ty May Yên Khánh" only without its district's place."""
    plain = make_unit(ninh_binh["d1"], code="375-0003", name="CĐCS Công ty May")
    assert resolve_unit_name(scope=ninh_binh["d1"], raw="Công ty May").unit.pk == plain.pk
    assert resolve_unit_name(scope=ninh_binh["d1"], raw="Công ty May Yên Khánh").unit.pk == ninh_binh["g12"].pk

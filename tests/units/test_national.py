"""The built-in national tree (63 provinces, 696 districts, per-province upper-level unions)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sangkien.units.importers import UnitImportError
from sangkien.units.models import Unit, UnitKind
from sangkien.units.national import load_national_units
from sangkien.units.services import merge_units


def name(code: str) -> str:
    return Unit.objects.get(code=code).name


@pytest.mark.django_db
def test_load_national_units_builds_the_tree_once():
    counts = load_national_units()

    assert counts == {"created": 1 + 63 + 696 + 63 * 5, "updated": 0, "moved": 0, "unchanged": 0}
    assert Unit.objects.filter(kind=UnitKind.PROVINCIAL_FEDERATION).count() == 63
    assert Unit.objects.filter(kind=UnitKind.DISTRICT_FEDERATION).count() == 696
    root = Unit.objects.get(code="TLD")
    assert (root.name, root.kind, root.depth) == ("Tổng Liên đoàn Lao động Việt Nam", UnitKind.NATIONAL, 1)
    assert name("37") == "LĐLĐ tỉnh Ninh Bình"
    assert name("01") == "LĐLĐ thành phố Hà Nội"
    assert name("375") == "LĐLĐ huyện Yên Khánh"
    assert name("001") == "LĐLĐ quận Ba Đình"
    assert Unit.objects.get(name="LĐLĐ thành phố Tam Điệp").code == "370"
    assert Unit.objects.filter(name__startswith="LĐLĐ thị xã ").exists()
    assert name("058") == "LĐLĐ thành phố Bắc Kạn"  # spelt "Thành Phố" in the source data
    assert name("37-VC") == "Công đoàn Viên chức tỉnh Ninh Bình"
    assert name("37-KCN") == "Công đoàn các Khu công nghiệp tỉnh Ninh Bình"
    assert name("37-GD") == "Công đoàn ngành Giáo dục tỉnh Ninh Bình"
    assert name("37-YT") == "Công đoàn ngành Y tế tỉnh Ninh Bình"
    assert name("01-NN") == "Công đoàn ngành Nông nghiệp và PTNT thành phố Hà Nội"
    ninh_binh = Unit.objects.get(code="37")
    assert Unit.objects.get_parent(ninh_binh) == root
    assert Unit.objects.get_parent(Unit.objects.get(code="375")) == ninh_binh
    assert Unit.objects.get_children(ninh_binh).filter(kind=UnitKind.DISTRICT_FEDERATION).count() == 7
    assert Unit.objects.find_problems() == ([], [], [], [], [])

    history = Unit.history.count()
    name_before = name("37")
    Unit.objects.filter(code="37").update(name="Tên sai")
    out = io.StringIO()
    call_command("load_national_units", stdout=out)

    assert "Tạo mới 0, cập nhật 1, chuyển 0, không đổi 1074" in out.getvalue()
    assert name("37") == name_before
    assert Unit.history.count() == history + 1
    assert load_national_units() == {"created": 0, "updated": 0, "moved": 0, "unchanged": 1075}


def test_load_national_units_refuses_to_undo_a_merger(tree):
    merge_units(source=tree["p1"], target=tree["p2"], actor=None)
    count = Unit.objects.count()
    with pytest.raises(UnitImportError) as info:
        load_national_units()
    assert "37" in str(info.value)
    assert Unit.objects.count() == count

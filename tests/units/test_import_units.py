"""``import_units``: CSV and JSON, idempotent re-runs, updates, moves, and every error at once."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from sangkien.core.models import AuditEntry
from sangkien.units.importers import UnitImportError, UnitRow, import_rows, parse_csv
from sangkien.units.models import Unit, UnitKind
from sangkien.units.reorganisation import PlanRow, apply_plan

HEADER = "code,name,kind,parent_code,member_count\n"

# Children before their parents on purpose.
SMALL_CSV = HEADER + (
    "375-0001,CĐCS Trường THCS Khánh Hội,grassroots,375,40\n"
    "375,LĐLĐ huyện Yên Khánh,district_federation,37,\n"
    "37,LĐLĐ tỉnh Ninh Bình,provincial_federation,TLD,\n"
    "TLD,Tổng Liên đoàn Lao động Việt Nam,national,,\n"
    "37-VC,Công đoàn Viên chức tỉnh Ninh Bình,public_employees_union,37,\n"
)


def run(tmp_path, content: str | bytes, *, name: str = "units.csv", **options) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    out = io.StringIO()
    call_command("import_units", str(path), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def run_failing(tmp_path, content: str, *, name: str = "units.csv") -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_units", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def parent_code(code: str) -> str | None:
    parent = Unit.objects.get_parent(Unit.objects.get(code=code))
    return parent.code if parent else None


def assert_tree_sound() -> None:
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    for unit in Unit.objects.all():
        codes = [child.code for child in Unit.objects.get_children(unit)]
        assert codes == sorted(codes), unit.code


@pytest.mark.django_db
def test_csv_creates_the_tree_whatever_the_row_order(tmp_path):
    out = run(tmp_path, SMALL_CSV)

    assert "Tạo mới 5, cập nhật 0, chuyển 0, không đổi 0" in out
    assert parent_code("TLD") is None
    assert parent_code("37") == "TLD"
    assert parent_code("375") == "37"
    assert parent_code("375-0001") == "375"
    assert parent_code("37-VC") == "37"
    grassroots = Unit.objects.get(code="375-0001")
    assert grassroots.kind == UnitKind.GRASSROOTS
    assert grassroots.member_count == 40
    assert grassroots.is_active
    assert Unit.objects.get(code="375").member_count is None
    assert Unit.history.count() == 5
    assert_tree_sound()


@pytest.mark.django_db
def test_csv_with_bom_semicolons_and_is_active(tmp_path):
    content = ("code;name;kind;parent_code;member_count;is_active\n"
               "TLD;Tổng Liên đoàn;national;;;\n"
               "G1;CĐCS Một;grassroots;TLD;12;0\n"
               "G2;CĐCS Hai;grassroots;TLD;;có\n")
    run(tmp_path, content.encode("utf-8-sig"))

    assert Unit.objects.count() == 3
    assert Unit.objects.get(code="TLD").name == "Tổng Liên đoàn"
    assert not Unit.objects.get(code="G1").is_active
    assert Unit.objects.get(code="G2").is_active


@pytest.mark.django_db
def test_json_flat_list(tmp_path):
    data = [
        {"code": "G1", "name": "CĐCS Một", "kind": "grassroots", "parent_code": "TLD", "member_count": 25},
        {"code": "TLD", "name": "Tổng Liên đoàn", "kind": "national", "parent_code": None},
    ]
    out = run(tmp_path, json.dumps(data, ensure_ascii=False), name="units.json")

    assert "Tạo mới 2" in out
    assert parent_code("G1") == "TLD"
    assert Unit.objects.get(code="G1").member_count == 25


@pytest.mark.django_db
def test_json_nested_children_and_bom(tmp_path):
    data = {"code": "TLD", "name": "Tổng Liên đoàn", "kind": "national", "children": [
        {"code": 37, "name": "LĐLĐ tỉnh Ninh Bình", "kind": "provincial_federation", "children": [
            {"code": "375", "name": "LĐLĐ huyện Yên Khánh", "kind": "district_federation", "children": [
                {"code": "375-0001", "name": "CĐCS A", "kind": "grassroots", "member_count": "30"},
            ]},
        ]},
        {"code": "24", "name": "LĐLĐ tỉnh Bắc Giang", "kind": "provincial_federation"},
    ]}
    content = json.dumps(data, ensure_ascii=False).encode("utf-8-sig")
    out = run(tmp_path, content, name="tree.json")

    assert "Tạo mới 5" in out
    assert parent_code("37") == "TLD"
    assert parent_code("375-0001") == "375"
    assert parent_code("24") == "TLD"
    assert Unit.objects.get(code="375-0001").member_count == 30
    assert_tree_sound()


@pytest.mark.django_db
def test_second_run_changes_nothing(tmp_path):
    run(tmp_path, SMALL_CSV)
    before = (Unit.objects.count(), Unit.history.count(), AuditEntry.objects.count(),
              sorted(Unit.objects.values_list("code", "path", "numchild")))

    out = run(tmp_path, SMALL_CSV)

    assert "Tạo mới 0, cập nhật 0, chuyển 0, không đổi 5" in out
    after = (Unit.objects.count(), Unit.history.count(), AuditEntry.objects.count(),
             sorted(Unit.objects.values_list("code", "path", "numchild")))
    assert after == before


def test_reimport_updates_and_moves(tree, tmp_path):
    content = HEADER + (
        "375-0001,CĐCS Trường THCS Khánh Hội (mới),grassroots,375,45\n"  # renamed, recounted
        "375-0002,CĐCS Công ty May Yên Khánh,grassroots,213,900\n"  # moved to Yên Thế
        "213,LĐLĐ huyện Yên Thế,district_federation,37,\n"  # district moved to Ninh Bình
        "24,LĐLĐ tỉnh Bắc Giang,sector_union,TLD,\n"  # kind changed
    )
    out = run(tmp_path, content)

    assert "Tạo mới 0, cập nhật 2, chuyển 2, không đổi 0" in out
    g11 = Unit.objects.get(code="375-0001")
    assert (g11.name, g11.member_count) == ("CĐCS Trường THCS Khánh Hội (mới)", 45)
    assert Unit.objects.get(code="24").kind == UnitKind.SECTOR_UNION
    assert parent_code("375-0002") == "213"
    assert parent_code("213") == "37"
    assert parent_code("213-0001") == "213"  # the subtree came along
    assert tree["p1"].contains(Unit.objects.get(code="213-0002"))
    assert g11.history.count() == 2
    moved = AuditEntry.objects.filter(action="unit.moved").order_by("pk")
    assert [(e.data["from_parent"], e.data["to_parent"]) for e in moved] == [("24", "37"), ("375", "213")]
    assert_tree_sound()

    assert "không đổi 4" in run(tmp_path, content)


def test_new_units_keep_siblings_sorted(tree, tmp_path):
    # 375-0000 sorts before the existing children of 375; 375-0000-1 hangs under it;
    # 0 sorts before the existing root TLD.
    content = HEADER + (
        "375-0000-1,CĐCS con,grassroots,375-0000,3\n"
        "375-0000,CĐCS đầu danh sách,grassroots,375,10\n"
        "375-0003,CĐCS cuối danh sách,grassroots,375,10\n"
        "0,Gốc khác,national,,\n"
    )
    run(tmp_path, content)

    children = [u.code for u in Unit.objects.get_children(Unit.objects.get(code="375"))]
    assert children == ["375-0000", "375-0001", "375-0002", "375-0003"]
    assert parent_code("375-0000-1") == "375-0000"
    assert [u.code for u in Unit.objects.get_root_nodes()] == ["0", "TLD"]
    assert_tree_sound()


def test_every_error_reported_at_once_and_nothing_written(tree, tmp_path):
    content = HEADER + (
        "A1,Đơn vị A,grassroots,TLD,1\n"  # line 2: fine
        "A1,Đơn vị A lần hai,grassroots,TLD,1\n"  # 3: duplicate code
        "B1,Đơn vị B,grassroots,KHONG-CO,1\n"  # 4: unknown parent
        "C1,Đơn vị C,grassroots,D1,1\n"  # 5: cycle in the file
        "D1,Đơn vị D,grassroots,C1,1\n"  # 6
        "37,LĐLĐ tỉnh Ninh Bình,provincial_federation,375,\n"  # 7: cycle with the database
        "E1,Đơn vị E,loai-la,TLD,1\n"  # 8: unknown kind
        "F1,Đơn vị F,grassroots,TLD,-3\n"  # 9: bad member count
        "G1,Đơn vị G,grassroots,TLD,nhiều\n"  # 10: bad member count
        ",Không mã,grassroots,TLD,1\n"  # 11: empty code
        "H1,,grassroots,TLD,1\n"  # 12: empty name
    )
    units_before = sorted(Unit.objects.values_list("code", "name", "path"))
    history_before = Unit.history.count()

    err = run_failing(tmp_path, content)

    lines = err.strip().splitlines()
    assert lines[0].startswith("Dòng 3: mã “A1” trùng với dòng 2")
    assert any(line.startswith("Dòng 4: đơn vị cấp trên “KHONG-CO” không có") for line in lines)
    cycle_in_file = next(line for line in lines if line.startswith("Dòng 5: vòng lặp"))
    assert "C1 (dòng 5) → D1 (dòng 6) → C1" in cycle_in_file
    cycle_with_db = next(line for line in lines if line.startswith("Dòng 7: vòng lặp"))
    assert "37 (dòng 7) → 375 (đã có trong hệ thống) → 37" in cycle_with_db
    assert any(line.startswith("Dòng 8: loại đơn vị “loai-la” không hợp lệ") for line in lines)
    assert any(line.startswith("Dòng 9: số đoàn viên “-3”") for line in lines)
    assert any(line.startswith("Dòng 10: số đoàn viên “nhiều”") for line in lines)
    assert any(line.startswith("Dòng 11: thiếu mã") for line in lines)
    assert any(line.startswith("Dòng 12: thiếu tên") for line in lines)
    assert len(lines) == 9
    assert sorted(Unit.objects.values_list("code", "name", "path")) == units_before
    assert Unit.history.count() == history_before


def test_self_parent_is_a_cycle(tree):
    rows = [UnitRow(code="X", name="X", kind="grassroots", parent_code="X", line=2, where="dòng 2")]
    with pytest.raises(UnitImportError) as info:
        import_rows(rows)
    assert [(e.line, "vòng lặp" in e.message) for e in info.value.errors] == [(2, True)]


@pytest.mark.django_db
def test_json_errors_name_the_item(tmp_path):
    data = [{"code": "TLD", "name": "Tổng Liên đoàn", "kind": "national", "children": [
        {"code": "G1", "name": "CĐCS", "kind": "grassroots", "member_count": 1.5},
        {"code": "G2", "name": "CĐCS", "kind": "grassroots", "parent_code": "KHAC", "ghi_chu": "?"},
    ]}]
    err = run_failing(tmp_path, json.dumps(data), name="tree.json")

    assert "Mục 2: số đoàn viên “1.5” không hợp lệ" in err
    assert "Mục 3: khóa không xác định: ghi_chu" in err
    assert "Mục 3: parent_code “KHAC” khác đơn vị chứa nó “TLD”" in err
    assert not Unit.objects.exists()

    assert "JSON không hợp lệ" in run_failing(tmp_path, "[{", name="broken.json")


@pytest.mark.django_db
def test_bad_columns_are_reported():
    rows, errors = parse_csv("code,name,kind,member_cout\nA,B,grassroots,1\n")
    assert rows == []
    assert [str(e) for e in errors] == ["Dòng 1: thiếu cột: parent_code", "Dòng 1: cột không xác định: member_cout"]


@pytest.mark.django_db
def test_file_without_member_count_keeps_counts(tmp_path):
    run(tmp_path, SMALL_CSV)
    out = run(tmp_path, "code,name,kind,parent_code\n375-0001,CĐCS Trường THCS Khánh Hội,grassroots,375\n")
    assert "không đổi 1" in out
    assert Unit.objects.get(code="375-0001").member_count == 40


def test_dry_run_writes_nothing(tree, tmp_path):
    content = HEADER + "375-0009,CĐCS mới,grassroots,375,9\n375-0001,Tên mới,grassroots,213,40\n"
    out = run(tmp_path, content, dry_run=True)

    assert "Chạy thử" in out
    assert "Tạo mới 1, cập nhật 1, chuyển 1, không đổi 0" in out
    assert not Unit.objects.filter(code="375-0009").exists()
    assert parent_code("375-0001") == "375"
    assert not AuditEntry.objects.exists()


def test_an_import_beside_units_moved_away_and_codes_of_the_past(tree):
    """Issue 11: a unit moved away keeps its retired row (and path) under its old parent; an import
    there must not reuse that path, and a row with a retired unit's code is a new unit."""
    apply_plan(rows=[PlanRow("375-0002", "move", dt.date(2025, 7, 1), new_parent_code="213"),
                     PlanRow("375-0001", "dissolve", dt.date(2025, 7, 1))], actor=None)

    summary = import_rows([UnitRow(code="375-0003", name="CĐCS mới", kind=UnitKind.GRASSROOTS, parent_code="375"),
                           UnitRow(code="375-0001", name="CĐCS Trường THCS Khánh Hội (lập lại)",
                                   kind=UnitKind.GRASSROOTS, parent_code="375")])

    assert summary.created == 2
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert Unit.objects.filter(code="375-0001").count() == 2
    assert Unit.objects.by_code("375-0001").name == "CĐCS Trường THCS Khánh Hội (lập lại)"

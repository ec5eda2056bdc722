"""The worked plan docs/plans/ha-tinh-2025.csv (issue 11, DOMAIN.md): Hà Tĩnh's 15 upper-level unions
dissolved on 1/7/2025, their grassroots unions directly under the province; a 2021 programme's
figures are unchanged after."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from sangkien.core.clock import local_datetime
from sangkien.roles.models import Role, RoleAssignment
from sangkien.units.models import ReorganisationPlan, Unit, UnitKind, UnitSuccession
from tests.factories import (
    InitiativeFactory,
    PhaseFactory,
    ProgrammeFactory,
    UserFactory,
    make_unit,
)

PLAN = Path(settings.BASE_DIR) / "docs" / "plans" / "ha-tinh-2025.csv"
ON = dt.date(2025, 7, 1)
DISTRICTS = {"436": "LĐLĐ thành phố Hà Tĩnh", "437": "LĐLĐ thị xã Hồng Lĩnh", "439": "LĐLĐ huyện Hương Sơn",
             "440": "LĐLĐ huyện Đức Thọ", "441": "LĐLĐ huyện Vũ Quang", "442": "LĐLĐ huyện Nghi Xuân",
             "443": "LĐLĐ huyện Can Lộc", "444": "LĐLĐ huyện Hương Khê", "445": "LĐLĐ huyện Thạch Hà",
             "446": "LĐLĐ huyện Cẩm Xuyên", "447": "LĐLĐ huyện Kỳ Anh", "449": "LĐLĐ thị xã Kỳ Anh"}
SECTORS = {"42-VC": (UnitKind.PUBLIC_EMPLOYEES_UNION, "Công đoàn Viên chức tỉnh Hà Tĩnh"),
           "42-KCN": (UnitKind.INDUSTRIAL_ZONE_UNION, "Công đoàn các Khu công nghiệp tỉnh Hà Tĩnh"),
           "42-GD": (UnitKind.SECTOR_UNION, "Công đoàn ngành Giáo dục tỉnh Hà Tĩnh"),
           "42-YT": (UnitKind.SECTOR_UNION, "Công đoàn ngành Y tế tỉnh Hà Tĩnh"),
           "42-NN": (UnitKind.SECTOR_UNION, "Công đoàn ngành Nông nghiệp và PTNT tỉnh Hà Tĩnh")}
GRASSROOTS = {"436": ["436-0001", "436-0002"], "443": ["443-0001"], "42-GD": ["42-GD-0001", "42-GD-0002"],
              "42-KCN": ["42-KCN-0001"]}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def ha_tinh(db):
    root = make_unit(code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)
    province = make_unit(root, code="42", name="LĐLĐ tỉnh Hà Tĩnh", kind=UnitKind.PROVINCIAL_FEDERATION)
    units = {"42": province}
    for code, name in DISTRICTS.items():
        units[code] = make_unit(province, code=code, name=name, kind=UnitKind.DISTRICT_FEDERATION)
    for code, (kind, name) in SECTORS.items():
        units[code] = make_unit(province, code=code, name=name, kind=kind)
    for parent, codes in GRASSROOTS.items():
        for code in codes:
            units[code] = make_unit(units[parent], code=code, name=f"CĐCS {code}", member_count=100)
    programme = ProgrammeFactory(slug="ha-tinh-2021", name="Sáng kiến Hà Tĩnh 2021", organiser=province)
    phase = PhaseFactory(programme=programme, number=1)
    for code, count in (("436-0001", 3), ("436-0002", 1), ("443-0001", 2), ("42-GD-0001", 4), ("42-KCN-0001", 1),
                        ("437", 1)):
        for _i in range(count):
            InitiativeFactory(phase=phase, unit=Unit.objects.get(pk=units[code].pk),
                              submitted_at=local_datetime(2021, 3, 20, 9))
    RoleAssignment.objects.create(user=UserFactory(full_name="Cán bộ huyện"), unit=units["436"],
                                  role=Role.UNIT_ADMIN)
    RoleAssignment.objects.create(user=UserFactory(full_name="Cán bộ CĐCS"), unit=units["436-0001"],
                                  role=Role.UNIT_ADMIN)
    return units


def stats(unit: str) -> str:
    out = io.StringIO()
    call_command("stats", programme="ha-tinh-2021", unit=unit, stdout=out)
    return out.getvalue()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("reorganise_units", "--plan", str(PLAN), *args, stdout=out)
    return out.getvalue()


def test_the_ha_tinh_plan_dissolves_the_15_upper_level_unions(ha_tinh):
    before = {code: stats(code) for code in ("42", "436", "42-GD")}
    assert "436-0001" in before["436"] and ",3," in before["436"]
    count = Unit.objects.count()

    preview = run("--dry-run")

    assert preview.count(": giải thể ") == 15 and "giải thể 15" in preview
    assert "giải thể LĐLĐ thành phố Hà Tĩnh (436) — kèm 2 đơn vị trực thuộc" in preview
    assert "Cán bộ huyện" in preview and "CẦN GIAO LẠI" in preview  # the district officer's role
    assert "Chạy thử: không ghi gì." in preview
    assert Unit.objects.count() == count and not UnitSuccession.objects.exists()

    applied = run()

    assert "Đã áp dụng phương án" in applied
    plan = ReorganisationPlan.objects.get()
    assert plan.file_sha256 == hashlib.sha256(PLAN.read_bytes()).hexdigest()
    assert plan.summary["dissolve"] == 15 and plan.summary["carried"] == 5
    today = Unit.objects.as_of(ON)
    province = Unit.objects.by_code("42", on=ON)
    children = today.filter(path__startswith=province.path, depth=province.depth + 1)
    assert sorted(children.values_list("code", flat=True)) == ["42-GD-0001", "42-GD-0002", "42-KCN", "42-VC",
                                                               "436-0001", "436-0002", "443-0001"]
    assert not today.filter(kind__in=[UnitKind.DISTRICT_FEDERATION, UnitKind.SECTOR_UNION]).exists()
    kcn = Unit.objects.by_code("42-KCN", on=ON)
    assert kcn.pk == ha_tinh["42-KCN"].pk  # the industrial-zone union stays, with its grassroots
    # The 2021 programme counts as it counted: the old rows keep their places.
    assert {code: stats(code) for code in ("42", "436", "42-GD")} == before
    assert RoleAssignment.objects.get(user__full_name="Cán bộ huyện").unit_id == ha_tinh["436"].pk
    assert RoleAssignment.objects.filter(user__full_name="Cán bộ CĐCS").count() == 2  # followed the union

    with pytest.raises(Exception, match="lỗi"):  # a second run: the units no longer exist the day before
        run()

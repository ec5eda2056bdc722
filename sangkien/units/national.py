"""The built-in national tree: TLĐ, the 63 provinces and their districts.

Built from the administrative divisions shipped by ``vietnam-provinces``
(0.6.0: 63 provinces, 696 districts, before the 2025 mergers) and applied
through :func:`sangkien.units.importers.import_rows`, the same code path as
a file import.  Grassroots unions are not built in: import them from a file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import vietnam_provinces
from django.utils.translation import gettext as _

from sangkien.units.importers import RowError, UnitImportError, UnitRow, import_rows
from sangkien.units.models import Unit, UnitKind

if TYPE_CHECKING:
    from sangkien.accounts.models import User

ROOT_CODE = "TLD"
ROOT_NAME = "Tổng Liên đoàn Lao động Việt Nam"

# Division-name prefixes, longest first ("Thành Phố Bắc Kạn" is spelt so in the data).
DIVISION_PREFIXES = ("thành phố", "thị xã", "tỉnh", "quận", "huyện")

# Per-province upper-level unions named in the letters: (code suffix, kind, name before the place).
PROVINCE_UNIONS = (
    ("VC", UnitKind.PUBLIC_EMPLOYEES_UNION, "Công đoàn Viên chức"),
    ("KCN", UnitKind.INDUSTRIAL_ZONE_UNION, "Công đoàn các Khu công nghiệp"),
    ("GD", UnitKind.SECTOR_UNION, "Công đoàn ngành Giáo dục"),
    ("YT", UnitKind.SECTOR_UNION, "Công đoàn ngành Y tế"),
    ("NN", UnitKind.SECTOR_UNION, "Công đoàn ngành Nông nghiệp và PTNT"),
)


def place_name(division_name: str) -> str:
    """The division name as used after "LĐLĐ": "Tỉnh Ninh Bình" → "tỉnh Ninh Bình"."""
    lowered = division_name.lower()
    for prefix in DIVISION_PREFIXES:
        if lowered.startswith(prefix + " "):
            return prefix + division_name[len(prefix):]
    return division_name[:1].lower() + division_name[1:]


def load_divisions() -> list[dict[str, Any]]:
    """The provinces of ``vietnam-provinces``, each with its ``districts``."""
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        divisions: list[dict[str, Any]] = json.load(fh)
    return divisions


def national_rows(*, include_sector_unions: bool = True) -> list[UnitRow]:
    """The rows of the national tree (codes as in :func:`load_national_units`)."""
    rows: list[UnitRow] = []

    def add(code: str, name: str, kind: str, parent_code: str) -> None:
        where = _("đơn vị %(code)s") % {"code": code}
        rows.append(UnitRow(code=code, name=name, kind=kind, parent_code=parent_code,
                            set_member_count=False, line=len(rows) + 1, where=where))

    add(ROOT_CODE, ROOT_NAME, UnitKind.NATIONAL, "")
    for province in load_divisions():
        code = f"{province['code']:02d}"
        place = place_name(province["name"])
        add(code, f"LĐLĐ {place}", UnitKind.PROVINCIAL_FEDERATION, ROOT_CODE)
        for district in province["districts"]:
            add(f"{district['code']:03d}", f"LĐLĐ {place_name(district['name'])}",
                UnitKind.DISTRICT_FEDERATION, code)
        if include_sector_unions:
            for suffix, kind, name in PROVINCE_UNIONS:
                add(f"{code}-{suffix}", f"{name} {place}", kind, code)
    return rows


def load_national_units(*, include_sector_unions: bool = True, dry_run: bool = False,
                        actor: User | None = None) -> dict[str, int]:
    """Create or update the national tree; running it again changes nothing.

    Creates (or renames / moves back, matching by code) the root ``TLD``
    "Tổng Liên đoàn Lao động Việt Nam" (kind ``national``); the 63 provinces
    as provincial federations, code = official province code on two digits
    (Ninh Bình ``"37"``, Hà Nội ``"01"``), name "LĐLĐ tỉnh Ninh Bình" /
    "LĐLĐ thành phố Hà Nội"; under each province its districts as district
    federations, code = official district code on three digits (Yên Khánh
    ``"375"``), name "LĐLĐ huyện Yên Khánh" / "LĐLĐ thành phố Tam Điệp" /
    "LĐLĐ quận Ba Đình" / "LĐLĐ thị xã …".  With ``include_sector_unions``
    also, per province ``<prov>``: ``<prov>-VC`` Công đoàn Viên chức,
    ``<prov>-KCN`` Công đoàn các Khu công nghiệp, ``<prov>-GD`` / ``-YT`` /
    ``-NN`` Công đoàn ngành Giáo dục / Y tế / Nông nghiệp và PTNT, each
    followed by the place ("Công đoàn Viên chức tỉnh Ninh Bình").

    Member counts and ``is_active`` are never touched; other units stay as
    they are.  Returns ``{"created": n, "updated": n, "moved": n,
    "unchanged": n}``.  Raises :class:`~sangkien.units.importers.UnitImportError`
    when one of these units has already been merged into another (re-running
    the 63-province tree would undo the merger) or when the tree conflicts
    with existing units (e.g. a cycle).
    """
    rows = national_rows(include_sector_unions=include_sector_unions)
    merged = sorted(Unit.objects.filter(code__in=[row.code for row in rows], merged_into__isnull=False)
                    .values_list("code", flat=True))
    if merged:
        raise UnitImportError([RowError(
            _("cây đơn vị toàn quốc"),
            _("các đơn vị %(codes)s đã được sáp nhập; nạp lại cây 63 tỉnh sẽ đảo ngược việc sáp nhập")
            % {"codes": ", ".join(merged)},
        )])
    return import_rows(rows, dry_run=dry_run, actor=actor).as_dict()

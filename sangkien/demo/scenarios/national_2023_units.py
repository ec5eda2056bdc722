"""The grassroots unions of scenario ``national-2023`` (see :mod:`.national_2023`).

Kinds of grassroots union (:data:`PROFILES`) with member counts, sector
block, fields, jobs and benefit values; how each kind of upper-level union
mixes them (:data:`UPPER_MIX`); and :func:`grassroots_rows`, the
:class:`~sangkien.units.importers.UnitRow` list applied by ``import_rows``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sangkien.demo import vietnamese
from sangkien.demo.apportion import apportion
from sangkien.initiatives.models import SectorBlock
from sangkien.units.importers import UnitRow
from sangkien.units.models import UnitKind
from sangkien.units.national import PROVINCE_UNIONS, load_divisions, place_name

if TYPE_CHECKING:
    from sangkien.demo.scenarios.national_2023 import ProvinceFigures

GRASSROOTS = 130_000

@dataclass(frozen=True)
class Profile:
    """A kind of grassroots union: sector, member counts (log-normal), fields, jobs, benefit."""

    sector: str
    median: int
    sigma: float
    low: int
    high: int
    fields: tuple[tuple[str, float], ...]
    jobs: tuple[str, ...]
    benefit_median: int  # VND/year; 0 = mostly no money benefit


_PUBLIC, _ENTERPRISE = SectorBlock.PUBLIC, SectorBlock.ENTERPRISE
_MAKE = (("san-xuat", 5), ("an-toan", 2), ("quan-ly", 1.5), ("cntt", 1.5))
PROFILES = {
    "school": Profile(_PUBLIC, 35, 0.4, 12, 150, (("giao-duc", 8), ("cntt", 1.5), ("quan-ly", 0.5)),
                      ("Giáo viên", "Giáo viên", "Giáo viên", "Nhân viên thư viện", "Kế toán"), 0),
    "high_school": Profile(_PUBLIC, 80, 0.3, 30, 200, (("giao-duc", 8), ("cntt", 2)),
                           ("Giáo viên", "Giáo viên", "Tổ trưởng chuyên môn"), 0),
    "commune": Profile(_PUBLIC, 22, 0.3, 8, 60, (("quan-ly", 6), ("nong-nghiep", 2.5), ("cntt", 1.5)),
                       ("Công chức văn phòng - thống kê", "Công chức địa chính", "Công chức tư pháp"), 0),
    "agency": Profile(_PUBLIC, 45, 0.5, 10, 300, (("quan-ly", 6), ("cntt", 3), ("khac", 1)),
                      ("Chuyên viên", "Chuyên viên", "Kế toán", "Văn thư"), 0),
    "hospital": Profile(_PUBLIC, 180, 0.8, 30, 3000, (("y-te", 7.5), ("quan-ly", 1), ("cntt", 1.5)),
                        ("Bác sĩ", "Điều dưỡng", "Điều dưỡng", "Kỹ thuật viên", "Dược sĩ"), 2_000_000),
    "agri": Profile(_PUBLIC, 40, 0.6, 10, 400, (("nong-nghiep", 7), ("quan-ly", 2), ("khac", 1)),
                    ("Kỹ sư nông nghiệp", "Chuyên viên", "Công nhân thủy nông"), 5_000_000),
    "enterprise": Profile(_ENTERPRISE, 120, 1.1, 10, 6000, _MAKE,
                          ("Công nhân", "Công nhân", "Tổ trưởng sản xuất", "Kỹ sư", "Thủ kho"), 15_000_000),
    "fdi": Profile(_ENTERPRISE, 900, 0.9, 100, 20000, _MAKE,
                   ("Công nhân", "Công nhân", "Công nhân", "Tổ trưởng chuyền", "Kỹ thuật viên"), 25_000_000),
}
#: Upper-level union (code suffix, "" = district) → (share of the province's grassroots, profile mix).
UPPER_MIX: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = {
    "": (0.56, (("school", 38), ("commune", 22), ("enterprise", 32), ("hospital", 3), ("agency", 5))),
    "VC": (0.08, (("agency", 1),)),
    "KCN": (0.10, (("fdi", 7), ("enterprise", 3))),
    "GD": (0.17, (("high_school", 85), ("agency", 15))),
    "YT": (0.05, (("hospital", 9), ("agency", 1))),
    "NN": (0.04, (("agri", 7), ("enterprise", 3))),
}
_DEPARTMENTS = ["Tư pháp", "Tài chính", "Xây dựng", "Nội vụ", "Công Thương", "Giao thông vận tải",
                "Kế hoạch và Đầu tư", "Tài nguyên và Môi trường", "Khoa học và Công nghệ",
                "Lao động - Thương binh và Xã hội", "Thông tin và Truyền thông"]
_HOSPITALS = ["Đa khoa", "Sản Nhi", "Y học cổ truyền", "Phục hồi chức năng", "Mắt", "Phổi"]
_AGRI = ["Chi cục Thủy lợi", "Chi cục Trồng trọt và Bảo vệ thực vật", "Trung tâm Khuyến nông",
         "Chi cục Kiểm lâm", "Trạm Khuyến nông"]


def _bare(ward: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã "):
        if ward.startswith(prefix):
            return ward[len(prefix):]
    return ward


@dataclass
class Grassroots:
    code: str
    profile: str
    workplace: str
    members: int


def _grassroots_name(rng: random.Random, profile: str, suffix: str, wards: list[str], place: str,
                     province_place: str) -> str:
    ward = rng.choice(wards) if wards else place
    match profile:
        case "school":
            return f"Trường {rng.choice(['Mầm non', 'Tiểu học', 'THCS'])} {_bare(ward)}"
        case "high_school":
            return f"Trường THPT {_bare(ward)}"
        case "commune":
            return f"UBND {ward[:1].lower()}{ward[1:]}"
        case "agency" if suffix in ("", "GD", "YT"):
            return f"Phòng {rng.choice(['Giáo dục và Đào tạo', 'Tài chính - Kế hoạch', 'Nội vụ'])} {place}"
        case "agency":
            return f"Sở {rng.choice(_DEPARTMENTS)} {province_place}"
        case "hospital" if suffix == "":
            return f"Trung tâm Y tế {place}"
        case "hospital":
            return f"Bệnh viện {rng.choice(_HOSPITALS)} {province_place}"
        case "agri":
            return f"{rng.choice(_AGRI)} {place}"
        case "fdi":
            return vietnamese.company(rng, foreign=True)
        case _:
            return vietnamese.company(rng)


def grassroots_rows(scale: float, figures: ProvinceFigures) -> tuple[list[UnitRow], dict[str, list[Grassroots]]]:
    """The grassroots unions to import, and per upper-level union code its unions.

    ``round(130,000 × scale)`` unions (at least one per upper-level union),
    shared among provinces by the power 0.8 of their participants, inside a
    province by :data:`UPPER_MIX` (districts by their number of communes).
    Codes are ``<upper code>-CS0001`` …, after any existing child's code.
    """
    rng = random.Random(130_000)
    weights: dict[tuple[str, str], float] = {}
    places: dict[str, tuple[str, str, list[str]]] = {}  # upper code → (suffix, place, wards)
    province_place: dict[str, str] = {}
    for province in load_divisions():
        code = f"{province['code']:02d}"
        province_place[code] = place_name(province["name"])
        size = max(figures.participants[code], 1) ** 0.8
        all_wards = [w["name"] for d in province["districts"] for w in d.get("wards", [])]
        wards_total = sum(len(d.get("wards", [])) or 1 for d in province["districts"])
        for district in province["districts"]:
            upper = f"{district['code']:03d}"
            wards = [w["name"] for w in district.get("wards", [])]
            weights[(code, upper)] = size * UPPER_MIX[""][0] * (len(wards) or 1) / wards_total
            places[upper] = ("", place_name(district["name"]), wards)
        for suffix, _kind, _name in PROVINCE_UNIONS:
            upper = f"{code}-{suffix}"
            weights[(code, upper)] = size * UPPER_MIX[suffix][0]
            places[upper] = (suffix, province_place[code], all_wards)
    total = max(len(weights), round(GRASSROOTS * scale))
    counts = apportion(total - len(weights), weights)
    rows: list[UnitRow] = []
    by_upper: dict[str, list[Grassroots]] = {}
    for (province_code, upper), extra in counts.items():
        suffix, place, wards = places[upper]
        mix_names, mix_weights = zip(*UPPER_MIX[suffix][1], strict=True)
        n = extra + 1
        width = 4 if n < 10_000 else 5
        seen: Counter[str] = Counter()
        units = []
        for index in range(1, n + 1):
            profile = rng.choices(mix_names, mix_weights)[0]
            workplace = _grassroots_name(rng, profile, suffix, wards, place, province_place[province_code])
            seen[workplace] += 1
            if seen[workplace] > 1:
                workplace = f"{workplace} (cơ sở {seen[workplace]})"
            spec = PROFILES[profile]
            members = min(spec.high, max(spec.low, round(spec.median * rng.lognormvariate(0, spec.sigma))))
            code = f"{upper}-CS{index:0{width}d}"
            units.append(Grassroots(code, profile, workplace, members))
            rows.append(UnitRow(code=code, name=f"CĐCS {workplace}"[:255], kind=UnitKind.GRASSROOTS,
                                parent_code=upper, member_count=members, line=len(rows) + 1,
                                where=code))
        by_upper[upper] = units
    return rows, by_upper



"""Scenario ``ninh-binh-2021``: the state of letter 000 (Ninh Bình, 06/4/2021).

"đến 15h30 ngày 5/4/2021, có 358 người đăng ký tham gia sáng kiến, trong
đó, có 229 sáng kiến, ý tưởng được Ban tổ chức Tổng Liên đoàn thông qua":
Yên Khánh 107, Viên chức 22, Tam Điệp 21, Hoa Lư 17, Giáo dục 16, Kim Sơn 14,
Nho Quan 11, NN&PTNT 6, Yên Mô 5, Ninh Bình 2, Y tế 2, Gia Viễn 1, and 5
without a unit.  The programme "75 nghìn sáng kiến, vượt khó, phát triển"
ran 10/3–20/4/2021 (closes after 24:00 on 20/4/2021, letter 003), effect in
the first four months of 2021.

Besides the approved initiatives the letter counts, the scenario adds the
ones still waiting, returned or rejected on that day, so that reviewers have
a queue; all counts are deterministic (seeded random).  Texts, fields, sector
blocks and authors' jobs follow the kind of each workplace
(:func:`workplace_kind`): teaching at schools, production at companies
(khối doanh nghiệp), procedures at offices (khối hành chính sự nghiệp).
Initiatives are written by :func:`sangkien.initiatives.bulk.create_initiatives_bulk`
(the import's path: tracking codes, history, claims and the near-duplicate
index), then the decisions of 5/4/2021 are added.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from dataclasses import replace
from typing import Any

import vietnam_provinces
from django.db import transaction

from sangkien.core.clock import local_datetime
from sangkien.demo.building import ensure_account, ensure_root, ensure_unit
from sangkien.initiatives.bulk import NewInitiative, create_initiatives_bulk
from sangkien.initiatives.details import AuthorData, InitiativeDetails
from sangkien.initiatives.models import (
    Initiative,
    RecognitionForm,
    SectorBlock,
    Status,
    StatusChange,
)
from sangkien.initiatives.people import Circle, PersonResolver
from sangkien.programmes.models import Field, Phase, Programme, Target
from sangkien.roles.models import Role
from sangkien.units.models import Unit, UnitKind

SLUG = "75-nghin-2021"
PROVINCE = "37"
AS_OF = local_datetime(2021, 4, 5, 15, 30)

#: code, 2021 name, kind, approved initiatives (the letter)
UNITS: list[tuple[str, str, str, int]] = [
    ("375", "LĐLĐ huyện Yên Khánh", UnitKind.DISTRICT_FEDERATION, 107),
    ("37-VC", "Công đoàn Viên chức tỉnh Ninh Bình", UnitKind.PUBLIC_EMPLOYEES_UNION, 22),
    ("370", "LĐLĐ thành phố Tam Điệp", UnitKind.DISTRICT_FEDERATION, 21),
    ("374", "LĐLĐ huyện Hoa Lư", UnitKind.DISTRICT_FEDERATION, 17),
    ("37-GD", "Công đoàn ngành Giáo dục tỉnh Ninh Bình", UnitKind.SECTOR_UNION, 16),
    ("376", "LĐLĐ huyện Kim Sơn", UnitKind.DISTRICT_FEDERATION, 14),
    ("372", "LĐLĐ huyện Nho Quan", UnitKind.DISTRICT_FEDERATION, 11),
    ("37-NN", "Công đoàn ngành Nông nghiệp và PTNT tỉnh Ninh Bình", UnitKind.SECTOR_UNION, 6),
    ("377", "LĐLĐ huyện Yên Mô", UnitKind.DISTRICT_FEDERATION, 5),
    ("369", "LĐLĐ thành phố Ninh Bình", UnitKind.DISTRICT_FEDERATION, 2),
    ("37-YT", "Công đoàn ngành Y tế tỉnh Ninh Bình", UnitKind.SECTOR_UNION, 2),
    ("373", "LĐLĐ huyện Gia Viễn", UnitKind.DISTRICT_FEDERATION, 1),
]
APPROVED_WITHOUT_UNIT = 5
APPROVED_TOTAL = 229
PARTICIPANTS = 358
#: initiatives still in review on 5/4/2021, and decided against (not in the letter)
PENDING, RETURNED, REJECTED = 41, 6, 9

FIELDS = [
    ("giao-duc", "Giáo dục, đào tạo"), ("y-te", "Y tế, chăm sóc sức khoẻ"),
    ("san-xuat", "Sản xuất, kỹ thuật"), ("nong-nghiep", "Nông nghiệp"),
    ("quan-ly", "Quản lý, hành chính"), ("cntt", "Công nghệ thông tin, chuyển đổi số"),
    ("an-toan", "An toàn, vệ sinh lao động"), ("khac", "Lĩnh vực khác"),
]

_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đinh", "Bùi", "Đỗ", "Ngô", "Dương", "Lương"]
_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hồng", "Quang", "Thanh", "Ngọc", "Hữu"]
_GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Lan",
          "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Yến"]
#: Kind of workplace (:func:`workplace_kind`) → its sector block and its topics (title, field).
#: ``{w}`` is the workplace, ``{s}`` one of the kind's :data:`_SUBJECTS`.
_TOPICS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "school": (SectorBlock.PUBLIC, [
        ("Ứng dụng bản đồ tư duy trong dạy học môn {s}", "giao-duc"),
        ("Thiết kế bài giảng điện tử tương tác cho môn {s}", "giao-duc"),
        ("Sổ theo dõi học sinh bằng Google Sheets tại {w}", "cntt"),
        ("Tổ chức câu lạc bộ đọc sách cho học sinh {w}", "giao-duc"),
    ]),
    "hospital": (SectorBlock.PUBLIC, [
        ("Phân luồng khám bệnh giảm thời gian chờ tại {w}", "y-te"),
        ("Nhắc lịch tái khám bằng tin nhắn cho người bệnh tại {w}", "y-te"),
        ("Quản lý hồ sơ bệnh án bằng mã QR tại {w}", "cntt"),
    ]),
    "agri": (SectorBlock.PUBLIC, [
        ("Lập lịch tưới tiêu theo mực nước đồng ruộng tại {w}", "nong-nghiep"),
        ("Hướng dẫn nông dân ủ phân hữu cơ từ rơm rạ tại {w}", "nong-nghiep"),
        ("Quy trình tiếp nhận hồ sơ một cửa điện tử tại {w}", "quan-ly"),
    ]),
    "office": (SectorBlock.PUBLIC, [
        ("Quy trình tiếp nhận hồ sơ một cửa điện tử tại {w}", "quan-ly"),
        ("Số hóa lưu trữ văn bản đi, đến tại {w}", "cntt"),
        ("Sắp xếp lại kho lưu trữ hồ sơ theo 5S tại {w}", "quan-ly"),
    ]),
    "company": (SectorBlock.ENTERPRISE, [
        ("Cải tiến đồ gá giúp giảm thời gian thay khuôn tại {w}", "san-xuat"),
        ("Tận dụng nhiệt thải lò sấy để tiết kiệm điện tại {w}", "san-xuat"),
        ("Lắp cảm biến dừng máy an toàn cho dây chuyền {s}", "an-toan"),
        ("Sắp xếp lại kho vật tư theo 5S tại {w}", "quan-ly"),
        ("Tự động nhắc lịch bảo dưỡng máy bằng tin nhắn tại {w}", "cntt"),
    ]),
}
_SUBJECTS = {"school": ["Toán", "Ngữ văn", "Tiếng Anh", "Lịch sử", "Vật lý", "Sinh học"],
             "company": ["đóng gói", "may", "cắt"]}
#: Jobs of a main author by the kind of their workplace.
_JOBS = {"school": ["Giáo viên", "Giáo viên", "Nhân viên thư viện"], "hospital": ["Bác sĩ", "Điều dưỡng"],
         "agri": ["Kỹ sư nông nghiệp", "Chuyên viên"], "office": ["Chuyên viên", "Kế toán", "Văn thư"],
         "company": ["Công nhân", "Kỹ sư", "Tổ trưởng sản xuất"]}
#: Words of a workplace's name → its kind; the first that matches wins.
_KINDS = [("Công ty", "company"), ("UBND", "office"), ("Trường", "school"), ("Bệnh viện", "hospital"),
          ("Y tế", "hospital"), ("Thủy lợi", "agri"), ("Khuyến nông", "agri")]


def workplace_kind(name: str) -> str:
    """The kind of a workplace, from its name: ``company``, ``school``,
    ``hospital``, ``agri`` (irrigation, agricultural extension) or ``office``
    (people's committees, departments — anything else)."""
    for words, kind in _KINDS:
        if words in name:
            return kind
    return "office"


@functools.cache
def _divisions() -> list[dict[str, Any]]:
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def _grassroots_names(district_code: int, rng: random.Random) -> list[str]:
    """Commune names of a district, from the vietnam-provinces data ("Thị trấn Yên Ninh")."""
    for province in _divisions():
        for district in province["districts"]:
            if district["code"] == district_code:
                return [w["name"] for w in district.get("wards", [])]
    return []


def _bare(ward: str) -> str:
    """The name without "Xã", "Phường" or "Thị trấn" (not just the first word)."""
    for prefix in ("Thị trấn ", "Phường ", "Xã "):
        if ward.startswith(prefix):
            return ward[len(prefix):]
    return ward


def _build_units(rng: random.Random) -> tuple[Unit, dict[str, Unit], dict[str, list[Unit]]]:
    root = ensure_root()
    province = ensure_unit(root, code=PROVINCE, name="LĐLĐ tỉnh Ninh Bình", kind=UnitKind.PROVINCIAL_FEDERATION)
    wanted = {code for code, *_rest in UNITS}
    for child in Unit.objects.get_children(province):
        if child.code not in wanted and child.is_active and not child.initiatives.exists():
            child.is_active = False  # did not exist in 2021 (e.g. the industrial-zone union)
            child.save(update_fields=["is_active"])
    uppers: dict[str, Unit] = {}
    grassroots: dict[str, list[Unit]] = {}
    for code, name, kind, _approved in UNITS:
        upper = ensure_unit(province, code=code, name=name, kind=kind)
        uppers[code] = upper
        if code.isdigit():
            communes = _grassroots_names(int(code), rng) or [f"Xã số {i}" for i in range(1, 9)]
            communes = communes[:8]
            names = []
            for i, commune in enumerate(communes):  # "Trường THCS Yên Ninh", "UBND thị trấn Yên Ninh"
                bare = _bare(commune)
                names.append(f"CĐCS Trường Tiểu học {bare}" if i % 3 == 0 else
                             f"CĐCS Trường THCS {bare}" if i % 3 == 1 else
                             f"CĐCS UBND {commune[:1].lower()}{commune[1:]}")
            place = name.removeprefix("LĐLĐ huyện ").removeprefix("LĐLĐ thành phố ")
            names += [f"CĐCS Công ty TNHH May {place} {i}" for i in (1, 2)]
        elif code.endswith("GD"):
            names = ["CĐCS Trường THPT Chuyên Lương Văn Tụy", "CĐCS Trường THPT Kim Sơn A",
                     "CĐCS Trường THPT Yên Khánh A", "CĐCS Trường Cao đẳng Sư phạm Ninh Bình"]
        elif code.endswith("YT"):
            names = ["CĐCS Bệnh viện Đa khoa tỉnh Ninh Bình", "CĐCS Trung tâm Y tế huyện Kim Sơn"]
        elif code.endswith("NN"):
            names = ["CĐCS Chi cục Thủy lợi", "CĐCS Trung tâm Khuyến nông tỉnh"]
        else:
            names = ["CĐCS Sở Tư pháp", "CĐCS Sở Tài chính", "CĐCS Văn phòng UBND tỉnh", "CĐCS Sở Xây dựng"]
        grassroots[code] = [
            ensure_unit(upper, code=f"{code}-{i:04d}", name=n, kind=UnitKind.GRASSROOTS,
                        member_count=rng.randint(25, 60) if "Công ty" not in n else rng.randint(300, 1500))
            for i, n in enumerate(names, start=1)
        ]
    province.refresh_from_db()
    return province, uppers, grassroots


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _description(title: str, rng: random.Random) -> str:
    return (
        f"<p><strong>Thực trạng:</strong> trước đây công việc “{title.lower()}” làm thủ công, "
        "mất nhiều thời gian và dễ sai sót.</p>"
        "<p><strong>Giải pháp:</strong></p><ul>"
        "<li>Khảo sát quy trình hiện tại và xác định các bước lãng phí;</li>"
        "<li>Thiết kế lại quy trình, hướng dẫn đồng nghiệp áp dụng;</li>"
        f"<li>Theo dõi kết quả trong {rng.randint(4, 12)} tuần.</li></ul>"
        "<p><em>Hiệu quả:</em> giảm thời gian thực hiện, nâng cao chất lượng công việc.</p>"
    )


@transaction.atomic
def load() -> dict[str, Any]:
    """Build the scenario; returns figures for the console.  Idempotent: a
    second run finds the programme and changes nothing."""
    rng = random.Random(20210405)  # noqa: S311 - demo data, not security
    province, uppers, grassroots = _build_units(rng)
    root = ensure_root()
    programme, created = Programme.objects.get_or_create(
        slug=SLUG,
        defaults={"name": "75 nghìn sáng kiến, vượt khó, phát triển", "organiser": root,
                  "description": "Chương trình do Tổng Liên đoàn Lao động Việt Nam phát động "
                                 "nhân Tháng Công nhân năm 2021 (Công văn 1653/TLĐ ngày 25/2/2021)."},
    )
    accounts = _accounts(province, uppers, grassroots)
    if not created and programme.initiatives.exists():
        return {"programme": SLUG, "created": False, "accounts": accounts}
    phase = Phase.objects.create(
        programme=programme, number=1, name="Tháng Công nhân 2021",
        submission_start=local_datetime(2021, 3, 10), submission_end=local_datetime(2021, 4, 21),
        effect_start=dt.date(2021, 1, 1), effect_end=dt.date(2021, 4, 30),
    )
    Target.objects.get_or_create(programme=programme, phase=None, unit=root, defaults={"value": 75_000})
    fields = {code: Field.objects.get_or_create(code=code, defaults={"name": name, "position": i})[0]
              for i, (code, name) in enumerate(FIELDS)}
    reviewer = accounts["organising_committee"]

    # Which unit each initiative goes to, and its final status.
    plan: list[tuple[Unit, bool, Status]] = []  # (unit, unlisted, status)
    for code, _name2, _kind, approved in UNITS:
        for i in range(approved):
            plan.append((grassroots[code][i % len(grassroots[code])], False, Status.APPROVED))
    for _i in range(APPROVED_WITHOUT_UNIT):
        plan.append((province, True, Status.APPROVED))
    weights = [approved for *_x, approved in UNITS]
    for status, count in ((Status.SUBMITTED, PENDING), (Status.RETURNED, RETURNED), (Status.REJECTED, REJECTED)):
        for _i in range(count):
            code = rng.choices(UNITS, weights=weights)[0][0]
            plan.append((rng.choice(grassroots[code]), False, status))
    rng.shuffle(plan)

    start, span = local_datetime(2021, 3, 10, 7), (AS_OF - local_datetime(2021, 3, 10, 7)).total_seconds()
    people: list[AuthorData] = []
    for _ in range(PARTICIPANTS):
        phone = f"+8491{rng.randint(0, 9_999_999):07d}"
        people.append(AuthorData(full_name=_name(rng), phone=phone, job=rng.choice(
            ["Giáo viên", "Công nhân", "Kỹ sư", "Điều dưỡng", "Chuyên viên", "Kế toán"])))
    main_authors, co_authors = people[: len(plan)], people[len(plan):]
    rows: list[tuple[NewInitiative, list[AuthorData]]] = []
    for index, (unit, unlisted, _status) in enumerate(plan):
        # deadline pile-up: later days are busier (square root spreads towards the end)
        at = start + dt.timedelta(seconds=span * (rng.random() ** 0.5))
        workplace = unit.name.replace("CĐCS ", "") if not unlisted else "Công ty TNHH Dệt may Gia Sinh"
        kind = workplace_kind(workplace)
        block, topics = _TOPICS[kind]
        template, field_code = rng.choice(topics)
        title = template.format(s=rng.choice(_SUBJECTS.get(kind, [""])), w=workplace)
        author = replace(main_authors[index], workplace=workplace, job=rng.choice(_JOBS[kind]))
        recognised = rng.random() < 0.4
        details = InitiativeDetails(
            sector_block=block, field_id=fields[field_code].pk, title=title[:300],
            description=_description(title, rng),
            effect_summary="Giảm thời gian, tăng năng suất lao động.",
            benefit_vnd=rng.choice([0, 2_000_000, 5_000_000, 12_000_000, 35_000_000, 150_000_000]),
            recognition_form=RecognitionForm.RECOGNITION_DECISION if recognised else "",
            recognised_by="Thủ trưởng đơn vị" if recognised else "",
            applied_from=dt.date(2021, rng.randint(1, 3), rng.randint(1, 28)),
        )
        authors = [author]
        rows.append((NewInitiative(unit_id=unit.pk, details=details, authors=authors, submitted_at=at,
                                   unit_unlisted_name="Công ty TNHH Dệt may Gia Sinh" if unlisted else ""), authors))
    # co-authors: the remaining registered people join initiatives of their unit
    for person in co_authors:
        rng.choice(rows)[1].append(person)
    # the one bulk write path (what an import does), then the decisions taken by 5/4/2021;
    # demo people are new people (no earlier entry counts as proof)
    codes = create_initiatives_bulk(rows=[row for row, _authors in rows], programme=programme, phase=phase,
                                    actor=None, reason="", people=PersonResolver(circle=Circle()))
    ids = dict(Initiative.objects.filter(tracking_code__in=codes).values_list("tracking_code", "pk"))
    reasons = {Status.RETURNED: "Bổ sung giá trị làm lợi ước tính trong 01 năm.",
               Status.REJECTED: "Trùng với sáng kiến đã gửi trước đó."}
    decisions: list[StatusChange] = []
    for (row, _authors), code, (_unit, _unlisted, status) in zip(rows, codes, plan, strict=True):
        if status == Status.SUBMITTED:
            continue
        assert row.submitted_at is not None  # every letter row has its date
        Initiative.objects.filter(pk=ids[code]).update(status=status, status_reason=reasons.get(status, ""))
        decisions.append(StatusChange(
            initiative_id=ids[code], actor=reviewer,
            at=min(row.submitted_at + dt.timedelta(days=1), AS_OF),
            from_status=Status.SUBMITTED, to_status=status, reason=reasons.get(status, "")))
    StatusChange.objects.bulk_create(decisions)
    return {"programme": SLUG, "created": True, "initiatives": len(plan), "participants": PARTICIPANTS,
            "approved": APPROVED_TOTAL, "accounts": accounts}


DEMO_PASSWORD = "sangkien-demo-2021"  # noqa: S105 - printed by `make run`, demo only


def _accounts(province: Unit, uppers: dict[str, Unit], grassroots: dict[str, list[Unit]]) -> dict[str, Any]:
    root = ensure_root()
    return {
        "organising_committee": ensure_account(
            email="bantochuc@sangkien.local", full_name="Ban tổ chức Tổng Liên đoàn",
            password=DEMO_PASSWORD, roles=[(root, Role.ORGANISING_COMMITTEE)]),
        "province_officer": ensure_account(
            email="ninhbinh@sangkien.local", full_name="Phạm Thu Hà (LĐLĐ tỉnh Ninh Bình)",
            password=DEMO_PASSWORD, roles=[(province, Role.UNIT_ADMIN), (province, Role.REVIEWER)]),
        "district_reviewer": ensure_account(
            email="yenkhanh@sangkien.local", full_name="Đinh Văn Long (LĐLĐ huyện Yên Khánh)",
            password=DEMO_PASSWORD, roles=[(uppers["375"], Role.REVIEWER)]),
        "support_team": ensure_account(
            email="tohotro@sangkien.local", full_name="Vũ Thị Lan (Tổ hỗ trợ sáng kiến)",
            password=DEMO_PASSWORD, roles=[(grassroots["375"][0], Role.SUPPORT_TEAM)]),
        "member": ensure_account(
            phone="+84912000001", full_name="Bùi Minh Nam", password=DEMO_PASSWORD),
    }

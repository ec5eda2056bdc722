"""Scenario ``national-2026``: a programme open now, on the tree of 1/7/2025.

What it builds (a few seconds; deterministic apart from the dates, which
follow the clock):

- the 2025 tree if it is not there yet (:func:`sangkien.units.national2025.load_national_units_2025`:
  34 provincial federations with their industrial-zone and public-employees
  unions, the 3,321 communes as places);
- in :data:`PROVINCES` (Hà Nội, Bắc Ninh, Ninh Bình, Hà Tĩnh, Hồ Chí Minh):
  :data:`COMMUNE_UNIONS` commune unions (công đoàn xã, phường, đặc khu,
  code ``<province>-<commune code>``) formed for communes of the province,
  each with a school, the commune's people's committee and a company as
  grassroots unions; factories under the industrial-zone union ``<province>-KCN``
  and agencies under the public-employees union ``<province>-VC`` — formed
  from 1/7/2025 by one reorganisation plan of ``create`` rows (so the
  programmes of 2021–2023 do not list them), their member counts then set by
  :func:`~sangkien.units.importers.import_rows`, the path of a unit import;
- programme ``sang-kien-2026`` "Sáng kiến vì sự phát triển 2026", organised by
  TLĐ, phase 1 open from 30 days before the loading day (00:00 local) to 90
  days after it, effect window 1/7/2025–31/12/2026;
- targets: :data:`TARGET` on TLĐ and a share on each of the 34 provinces in
  proportion to its number of communes, set by the organising committee
  through :func:`sangkien.programmes.services.set_targets`;
- :data:`INITIATIVES` initiatives from the grassroots unions above, sent
  since the phase opened, most approved, some waiting or returned, a few with
  "my union is not listed", each in the near-duplicate index.

Idempotent: a second run re-opens the phase if it has closed and changes
nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.db import transaction

from sangkien.core.clock import local_now, now, start_of_day
from sangkien.demo import vietnamese
from sangkien.demo.apportion import apportion
from sangkien.demo.building import ensure_account
from sangkien.demo.scenarios.ninh_binh_2021 import DEMO_PASSWORD, FIELDS
from sangkien.duplicates.index import index_batch, refresh_frequent_keys
from sangkien.initiatives.models import (
    Authorship,
    Initiative,
    Person,
    SectorBlock,
    Status,
    StatusChange,
)
from sangkien.programmes.models import Field, Phase, Programme
from sangkien.programmes.services import set_targets
from sangkien.roles.models import Role
from sangkien.units.importers import UnitRow, import_rows
from sangkien.units.models import Commune, CommuneKind, Unit, UnitKind
from sangkien.units.national import ROOT_CODE
from sangkien.units.national2025 import EFFECTIVE_ON, load_national_units_2025, provinces
from sangkien.units.reorganisation import PlanRow, apply_plan

if TYPE_CHECKING:
    from sangkien.accounts.models import User

SLUG = "sang-kien-2026"
NAME = "Sáng kiến vì sự phát triển 2026"
TARGET = 50_000
PROVINCES = ("01", "24", "37", "42", "79")
COMMUNE_UNIONS = 3
INITIATIVES = 240
#: Grassroots unions of one commune union: (name pattern, profile of :mod:`sangkien.demo.vietnamese`).
_COMMUNE_GRASSROOTS = (("CĐCS Trường Tiểu học {bare}", "school"), ("CĐCS UBND {commune}", "commune"),
                       ("CĐCS {company}", "enterprise"))
#: Profile → (sector block, fields its initiatives are in).
_PROFILES = {
    "school": (SectorBlock.PUBLIC, ("giao-duc", "cntt")),
    "commune": (SectorBlock.PUBLIC, ("quan-ly", "cntt")),
    "agency": (SectorBlock.PUBLIC, ("quan-ly", "cntt")),
    "enterprise": (SectorBlock.ENTERPRISE, ("san-xuat", "an-toan", "quan-ly")),
    "fdi": (SectorBlock.ENTERPRISE, ("san-xuat", "an-toan", "cntt")),
}
_JOBS = {"school": ("Giáo viên", "Nhân viên thư viện"), "commune": ("Công chức văn phòng - thống kê",
         "Công chức địa chính"), "agency": ("Chuyên viên", "Kế toán"),
         "enterprise": ("Công nhân", "Kỹ sư", "Tổ trưởng sản xuất"), "fdi": ("Công nhân", "Tổ trưởng chuyền")}
_DEPARTMENTS = ("Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng", "Sở Khoa học và Công nghệ")


def _bare(commune: str) -> str:
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if commune.startswith(prefix):
            return commune[len(prefix):]
    return commune


def _unit_rows(rng: random.Random) -> tuple[list[UnitRow], dict[str, str]]:
    """The scenario's commune unions and grassroots unions, and each grassroots code's profile."""
    rows: list[UnitRow] = []
    profiles: dict[str, str] = {}

    def add(code: str, name: str, kind: str, parent: str, members: int | None = None) -> None:
        rows.append(UnitRow(code=code, name=name, kind=kind, parent_code=parent, member_count=members,
                            set_member_count=members is not None, line=len(rows) + 1, where=code))

    def grassroots(parent: str, number: int, name: str, profile: str) -> None:
        code = f"{parent}-N{number:02d}"
        members = rng.randint(300, 4_000) if profile in {"enterprise", "fdi"} else rng.randint(15, 80)
        add(code, name, UnitKind.GRASSROOTS, parent, members)
        profiles[code] = profile

    for province in PROVINCES:
        places = list(Commune.objects.filter(province_code=province).exclude(kind=CommuneKind.SPECIAL_ZONE)
                      .order_by("code"))
        for commune in sorted(rng.sample(places, COMMUNE_UNIONS), key=lambda c: c.code):
            union = f"{province}-{commune.code}"
            add(union, f"Công đoàn {commune.name[:1].lower()}{commune.name[1:]}", UnitKind.COMMUNE_UNION,
                province)
            lowered = commune.name[:1].lower() + commune.name[1:]
            for number, (pattern, profile) in enumerate(_COMMUNE_GRASSROOTS, start=1):
                name = pattern.format(bare=_bare(commune.name), commune=lowered,
                                      company=vietnamese.company(rng))
                grassroots(union, number, name, profile)
        for number in range(1, 4):
            grassroots(f"{province}-KCN", number, f"CĐCS {vietnamese.company(rng, foreign=True)}", "fdi")
        for number, department in enumerate(rng.sample(_DEPARTMENTS, 2), start=1):
            grassroots(f"{province}-VC", number, f"CĐCS {department}", "agency")
    return rows, profiles


def _phase(programme: Programme) -> Phase:
    """Phase 1, open now: re-opened (30 days back, 90 ahead) when it has closed or not begun."""
    today = local_now().date()
    phase = programme.phases.filter(number=1).first()
    if phase is not None and phase.submission_start <= now() < phase.submission_end:
        return phase
    phase, _created = Phase.objects.update_or_create(
        programme=programme, number=1,
        defaults={"name": "Giai đoạn 1", "submission_start": start_of_day(today - dt.timedelta(days=30)),
                  "submission_end": start_of_day(today + dt.timedelta(days=90)),
                  "effect_start": EFFECTIVE_ON, "effect_end": dt.date(2026, 12, 31)},
    )
    return phase


def _targets(programme: Programme, root: Unit, actor: User) -> None:
    """:data:`TARGET` on TLĐ, shared among the 34 provinces by their number of communes."""
    weights = {p.code: Commune.objects.filter(province_code=p.code).count() for p in provinces()}
    shares = apportion(TARGET, weights)
    federations = {u.code: u.pk for u in Unit.objects.as_of(local_now().date()).filter(
        code__in=list(shares), kind=UnitKind.PROVINCIAL_FEDERATION)}
    values: dict[int, int | None] = {root.pk: TARGET}
    values.update({federations[code]: value for code, value in shares.items()})
    set_targets(programme=programme, phase=None, unit=root, values=values, actor=actor)


@transaction.atomic
def load() -> dict[str, Any]:
    """Build the scenario (see the module); returns figures for the console."""
    rng = random.Random(20260101)  # noqa: S311 - demo data, not security
    tree = load_national_units_2025()
    root = Unit.objects.by_code(ROOT_CODE)
    committee = ensure_account(email="bantochuc@sangkien.local", full_name="Ban tổ chức Tổng Liên đoàn",
                               password=DEMO_PASSWORD, roles=[(root, Role.ORGANISING_COMMITTEE)])
    programme, created = Programme.objects.get_or_create(
        slug=SLUG, defaults={"name": NAME, "organiser": root,
                             "description": "Chương trình toàn quốc trên cây đơn vị từ 01/7/2025: 34 tỉnh, "
                                            "thành phố; công đoàn xã, phường, đặc khu; công đoàn các khu "
                                            "công nghiệp."})
    phase = _phase(programme)
    if not created and programme.initiatives.exists():
        return {"programme": SLUG, "created": False, "accounts": {"organising_committee": committee}}
    unit_rows, profiles = _unit_rows(rng)
    # formed from 1/7/2025 (not "before our records": the 2021 programme's tables leave them out) …
    apply_plan(rows=[PlanRow(code=r.code, action="create", effective_on=EFFECTIVE_ON, new_parent_code=r.parent_code,
                             new_name=r.name, kind=r.kind) for r in unit_rows], actor=committee)
    # … then their member counts, as a unit import sets them
    import_rows(unit_rows, actor=committee)
    _targets(programme, root, committee)
    fields = {code: Field.objects.get_or_create(code=code, defaults={"name": name, "position": i})[0]
              for i, (code, name) in enumerate(FIELDS)}
    today = local_now().date()
    grassroots = {u.code: u for u in Unit.objects.as_of(today).filter(code__in=list(profiles))}
    codes = sorted(grassroots)
    start, span = phase.submission_start, (now() - phase.submission_start).total_seconds()
    for _i in range(INITIATIVES):
        code = rng.choice(codes)
        unit, profile = grassroots[code], profiles[code]
        unlisted = rng.random() < 0.03
        workplace = (vietnamese.workplace(rng, profile) if unlisted else unit.name.removeprefix("CĐCS "))
        block, field_codes = _PROFILES[profile]
        field_code = rng.choice(field_codes)
        title = vietnamese.title(rng, field_code, workplace)
        at = start + dt.timedelta(seconds=span * (rng.random() ** 0.7))
        status = rng.choices([Status.APPROVED, Status.SUBMITTED, Status.RETURNED], [6, 3, 1])[0]
        person = Person.objects.create(full_name=vietnamese.person_name(rng), workplace=workplace,
                                       phone=f"+8498{rng.randint(0, 9_999_999):07d}",
                                       job=rng.choice(_JOBS[profile]))
        initiative = Initiative.objects.create(
            programme=programme, phase=phase, unit=Unit.objects.get_parent(unit) if unlisted else unit,
            unit_unlisted=unlisted, unit_unlisted_name=workplace if unlisted else "",
            sector_block=block, field=fields[field_code], title=title,
            description=vietnamese.description(rng, title), effect_summary=rng.choice(vietnamese.EFFECTS),
            benefit_vnd=rng.choice([0, 5_000_000, 20_000_000, 60_000_000]) if block == SectorBlock.ENTERPRISE else 0,
            applied_from=EFFECTIVE_ON + dt.timedelta(days=rng.randint(0, max((today - EFFECTIVE_ON).days, 0))),
            status=status, submitted_at=at,
            status_reason="Bổ sung giá trị làm lợi ước tính trong 01 năm." if status == Status.RETURNED else "",
        )
        Authorship.objects.create(initiative=initiative, person=person, position=0)
        StatusChange.objects.create(initiative=initiative, at=at, from_status="", to_status=Status.SUBMITTED)
        if status != Status.SUBMITTED:
            StatusChange.objects.create(initiative=initiative, actor=committee,
                                        at=min(at + dt.timedelta(days=2), now()), from_status=Status.SUBMITTED,
                                        to_status=status, reason=initiative.status_reason)
    index_batch(list(programme.initiatives.order_by("pk").values_list("pk", "programme_id", "title",
                                                                        "description")))
    refresh_frequent_keys()  # keys now held by too many initiatives are skipped, as after a rebuild
    return {"programme": SLUG, "created": True, "tree": tree, "units": len(unit_rows), "initiatives": INITIATIVES,
            "accounts": {"organising_committee": committee}}

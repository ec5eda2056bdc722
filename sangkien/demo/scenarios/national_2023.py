"""Scenario ``national-2023``: the whole country on 26/7/2023 (letter 001, Bắc Giang).

"tính ngày 26/7/2023, Chương trình đã có 350.405 người đăng ký tham gia với
1.892.577 sáng kiến được cập nhật, đạt 189,3% chỉ tiêu toàn bộ Chương trình;
tại tỉnh Bắc Giang hiện có 9.115 người đăng ký tham gia Chương trình với
54.746 sáng kiến được cập nhật, đứng thứ 8 về số người đăng ký và số lượt
sáng kiến".

What it builds (``load(scale=F)``; every count below is multiplied by ``F``
and rounded, targets are not):

- the national tree (:func:`sangkien.units.national.national_rows`) and
  130,000 grassroots unions under the 696 district federations and the
  provinces' public-employees, industrial-zone and sector unions, with
  member counts by kind (schools 12–150, enterprises up to 6,000, FDI
  factories up to 20,000) — one :func:`~sangkien.units.importers.import_rows`
  call, the code path of a unit file import; at least one per upper-level
  union, so at least 1,011 at any scale;
- programme ``1-trieu-sang-kien``, phase 1 08/01/2022–31/05/2022 and phase 2
  01/06/2022–01/09/2023 (each closes after 24:00 of its last day, local
  time), effect window 01/09/2021–01/09/2023;
- targets: 1,000,000 for the programme on TLĐ (no phase) and, on each
  province, a programme-wide share; the shares sum to 1,000,000;
- 350,405 participants and 1,892,577 initiatives submitted from 08/01/2022
  to 26/7/2023 17:00, most in the weeks before phase 1 closes (a surge in its
  last days) and in the weeks before 26/7/2023; 7 % of the participants are
  only co-authors, 5 % of initiatives have a co-author who also writes his
  own; about 1.2 % of initiatives name an upper-level union with "my union
  is not listed" and 0.4 % no unit below the province (the unknown-unit
  rows); statuses by age (old ones mostly approved, the last days mostly
  waiting); benefit in VND/year by kind of unit;
- Bắc Giang (``24``): exactly 9,115 participants and 54,746 initiatives;
  exactly 7 provinces have more participants *and* more initiatives
  (:data:`AHEAD`), the 55 others have fewer of both, so Bắc Giang ranks 8th
  on both counts at every scale (:func:`province_figures`).

Each participant belongs to one grassroots union (or an unknown-unit bucket)
and all their authorships stay inside it, so the provinces' participants
add up to the national figure.  No per-initiative ``StatusChange`` rows
are written (the history of demo initiatives is empty) and no accounts.
Every initiative is in the near-duplicate index, written province by
province with :func:`~sangkien.duplicates.index.index_batch` (measured at
scale 0.05 on SQLite: 94,629 initiatives, +27 s of CPU over a 11 s load;
``seconds.duplicate_index`` in the result is its wall time).
Writes go through :mod:`sangkien.demo.bulk` (``executemany`` with keys
chosen here); ``updated_at`` is the loading instant, as ``auto_now`` would
set it, so the dashboards' roll-ups pick the rows up on their next refresh.
Deterministic: the same scale gives the same data.  Idempotent: a second
run finds the programme and changes nothing.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sangkien.core import bulk
from sangkien.core.clock import end_of_day, now, start_of_day
from sangkien.demo.apportion import apportion
from sangkien.demo.bulk import tracking_codes
from sangkien.demo.scenarios.national_2023_activity import (
    AS_OF,
    AUTHORSHIP_FIELDS,
    EFFECT,
    INITIATIVE_FIELDS,
    PERSON_FIELDS,
    PHASE_1,
    PHASE_2,
    Context,
    generate_province,
    province_slots,
)
from sangkien.demo.scenarios.national_2023_units import grassroots_rows
from sangkien.demo.scenarios.ninh_binh_2021 import FIELDS
from sangkien.duplicates.index import index_batch, refresh_frequent_keys
from sangkien.initiatives.models import SNAPSHOT_FIELDS, Authorship, Initiative, Person
from sangkien.programmes.models import Field, Phase, Programme, Target
from sangkien.units.importers import import_rows
from sangkien.units.models import Unit
from sangkien.units.national import PROVINCE_UNIONS, ROOT_CODE, load_divisions, load_national_units

SLUG = "1-trieu-sang-kien"
NAME = "01 triệu sáng kiến – nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng đại dịch Covid-19"
PARTICIPANTS, INITIATIVES, TARGET = 350_405, 1_892_577, 1_000_000
BAC_GIANG, BAC_GIANG_PARTICIPANTS, BAC_GIANG_INITIATIVES = "24", 9_115, 54_746
#: The provinces ahead of Bắc Giang on both counts: (code, × its participants, × its initiatives).
AHEAD = [("79", 2.10, 2.30), ("01", 1.90, 2.05), ("74", 1.60, 1.52), ("75", 1.45, 1.62),
         ("38", 1.31, 1.26), ("40", 1.21, 1.16), ("31", 1.12, 1.10)]
BEHIND_CAP = 0.9  # the other provinces stay at or below 90 % of Bắc Giang's figures
MIN_SCALE = 0.001
__all__ = ["AS_OF", "SLUG", "load", "province_figures"]
#: A rough size of each other province's workforce (1 = middling); the rest is seeded noise.
WORKFORCE = {
    **dict.fromkeys(["27", "30", "33", "26", "22", "80", "77", "48", "49"], 1.45),  # industrial provinces
    **dict.fromkeys(["02", "04", "06", "11", "12", "62", "67", "93", "95", "58"], 0.4),  # small, upland
}
#: The profile of "my union is not listed" under each kind of upper-level union (code suffix).
UNLISTED_PROFILE = {"": "enterprise", "VC": "agency", "KCN": "fdi", "GD": "high_school", "YT": "hospital",
                    "NN": "agri"}


# --- figures -----------------------------------------------------------------

@dataclass(frozen=True)
class ProvinceFigures:
    participants: dict[str, int]
    initiatives: dict[str, int]
    targets: dict[str, int]


def province_figures(scale: float = 1.0) -> ProvinceFigures:
    """Participants, initiatives and programme targets per province code.

    Bắc Giang and the :data:`AHEAD` provinces get their figures times ``scale``
    (the ahead ones at least Bắc Giang's + 1); the national totals times
    ``scale`` minus those are shared among the 55 others by fixed weights,
    each capped at 90 % of Bắc Giang's (and below it).  Targets share
    1,000,000 at every scale.

    :raises ValueError: ``scale`` below :data:`MIN_SCALE` (Bắc Giang's rank could not hold).
    """
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE}")
    rng = random.Random(2023_07_26)
    divisions = load_divisions()
    codes = [f"{p['code']:02d}" for p in divisions]
    districts = {f"{p['code']:02d}": len(p["districts"]) for p in divisions}
    ahead = {code: (p, i) for code, p, i in AHEAD}
    behind = [c for c in codes if c != BAC_GIANG and c not in ahead]
    size = {c: WORKFORCE.get(c, 1.0) * districts[c] ** 0.3 * rng.lognormvariate(0, 0.15) for c in behind}
    ratio = {c: rng.lognormvariate(0, 0.2) for c in behind}
    figures = {}
    for key, total, own, column in (("participants", PARTICIPANTS, BAC_GIANG_PARTICIPANTS, 0),
                                    ("initiatives", INITIATIVES, BAC_GIANG_INITIATIVES, 1)):
        bg = round(own * scale)
        counts = {BAC_GIANG: bg}
        counts.update({c: max(round(own * m[column] * scale), bg + 1) for c, m in ahead.items()})
        weights = {c: size[c] * (ratio[c] if column else 1) for c in behind}
        cap = min(bg - 1, math.floor(BEHIND_CAP * bg))
        counts.update(apportion(round(total * scale) - sum(counts.values()), weights,
                                dict.fromkeys(behind, cap)))
        figures[key] = counts
    for code in codes:
        if figures["initiatives"][code] < figures["participants"][code]:
            raise ValueError(f"scale {scale}: province {code} has fewer initiatives than participants")
    weights = {c: (figures["participants"][c] or 1) ** 0.9 * rng.lognormvariate(0, 0.2) for c in codes}
    return ProvinceFigures(figures["participants"], figures["initiatives"], apportion(TARGET, weights))



# --- loading -----------------------------------------------------------------

def load(*, scale: float = 1.0) -> dict[str, Any]:
    """Build the scenario at ``scale`` (1 = the letter's figures); returns figures for the console.

    Idempotent: when the programme already has initiatives nothing changes
    (whatever the scale).  Runs in one transaction.

    :raises ValueError: ``scale`` below :data:`MIN_SCALE`.
    """
    started = time.monotonic()
    figures = province_figures(scale)
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is not None and programme.initiatives.exists():
        return {"programme": SLUG, "created": False}
    with transaction.atomic():
        load_national_units()
        unit_rows, grassroots = grassroots_rows(scale, figures)
        units = import_rows(unit_rows)
        tree_seconds = time.monotonic() - started
        root = Unit.objects.get(code=ROOT_CODE)
        programme, _created = Programme.objects.get_or_create(slug=SLUG, defaults={
            "name": NAME, "organiser": root,
            "description": "Chương trình số 3259/CTr-TLĐ của Tổng Liên đoàn Lao động Việt Nam: đoàn viên, "
                           "người lao động cập nhật sáng kiến trên phần mềm trực tuyến của Chương trình."})
        phases = {}
        for number, (first, last) in ((1, PHASE_1), (2, PHASE_2)):
            phases[number] = Phase.objects.create(
                programme=programme, number=number, name=f"Giai đoạn {number}",
                submission_start=start_of_day(first), submission_end=end_of_day(last),
                effect_start=EFFECT[0], effect_end=EFFECT[1])
        fields = {code: Field.objects.get_or_create(code=code, defaults={"name": name, "position": i})[0].pk
                  for i, (code, name) in enumerate(FIELDS)}
        Target.objects.create(programme=programme, phase=None, unit=root, value=TARGET)
        ids = dict(Unit.objects.values_list("code", "pk"))
        Target.objects.bulk_create([Target(programme=programme, phase=None, unit_id=ids[code], value=value)
                                    for code, value in figures.targets.items()])
        written = _write_activity(programme, phases, fields, figures, grassroots, ids)
        index_seconds = written.pop("index_seconds")
        frequent_keys = refresh_frequent_keys()  # a bulk load adds keys past the limit: as rebuild does
    return {"programme": SLUG, "created": True, "scale": scale, **written,
            "grassroots": sum(len(g) for g in grassroots.values()), "units_created": units.created,
            "frequent_keys": frequent_keys,
            "bac_giang": {"participants": figures.participants[BAC_GIANG],
                          "initiatives": figures.initiatives[BAC_GIANG]},
            "seconds": {"tree": round(tree_seconds, 1), "duplicate_index": index_seconds,
                        "total": round(time.monotonic() - started, 1)}}


def _next_id(model: type) -> itertools.count:
    return itertools.count(bulk.next_ids(model, 0).start)


def _write_activity(programme: Programme, phases: dict[int, Phase], fields: dict[str, int],
                    figures: ProvinceFigures, grassroots: dict[str, list], ids: dict[str, int]) -> dict[str, Any]:
    """People, initiatives and authorships, province by province (bulk inserts).

    Each province's initiatives are added to the near-duplicate index in
    one :func:`~sangkien.duplicates.index.index_batch` call, right after they
    are inserted (same transaction); ``index_seconds`` is the time it took.
    """
    taken = set(Initiative.objects.filter(tracking_code__startswith="SK-").values_list("tracking_code", flat=True))
    first_initiative = bulk.next_ids(Initiative, 0).start
    adapt_datetime = bulk.datetime_adapter()
    ctx = Context(
        rng=random.Random(1_892_577), programme_id=programme.pk, phase_ids={n: p.pk for n, p in phases.items()},
        field_ids=fields, person_ids=_next_id(Person), initiative_ids=itertools.count(first_initiative),
        authorship_ids=_next_id(Authorship), codes=tracking_codes(first_initiative, taken),
        adapt_datetime=adapt_datetime, adapt_date=bulk.date_adapter(), updated_at=adapt_datetime(now()),
    )
    totals = {"participants": 0, "initiatives": 0, "authorships": 0}
    index_seconds = 0.0
    for province in load_divisions():
        code = f"{province['code']:02d}"
        uppers = [f"{d['code']:03d}" for d in province["districts"]]
        uppers += [f"{code}-{suffix}" for suffix, _kind, _name in PROVINCE_UNIONS]
        slots, weights = province_slots(province_id=ids[code], uppers=[
            (ids[upper], UNLISTED_PROFILE[upper.rsplit("-", 1)[1] if "-" in upper else ""],
             [(ids[g.code], g.profile, g.workplace, g.members) for g in grassroots[upper]])
            for upper in uppers])
        rows = generate_province(ctx, participants=figures.participants[code],
                                 initiatives=figures.initiatives[code], slots=slots, weights=weights)
        totals["participants"] += bulk.insert_rows(Person, PERSON_FIELDS, rows.persons)
        totals["initiatives"] += bulk.insert_rows(Initiative, INITIATIVE_FIELDS, rows.initiatives)
        started = time.monotonic()
        index_batch([(r[0], r[1], r[8], r[9]) for r in rows.initiatives])  # id, programme, title, description
        index_seconds += time.monotonic() - started
        # Each authorship keeps what was "typed": here, its person's details (id, name, phone, e-mail, job, workplace).
        typed = {p[0]: p[1:6] for p in rows.persons}
        totals["authorships"] += bulk.insert_rows(Authorship, AUTHORSHIP_FIELDS + SNAPSHOT_FIELDS,
                                                  [a + typed[a[2]] for a in rows.authorships])
    bulk.reset_sequences(Person, Initiative, Authorship)
    return {**totals, "index_seconds": round(index_seconds, 1)}

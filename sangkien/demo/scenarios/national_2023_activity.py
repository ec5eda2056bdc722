"""Participants and initiatives of scenario ``national-2023`` (see :mod:`.national_2023`).

:func:`generate_province` makes one province's people, initiatives and
authorships as rows for :func:`sangkien.demo.bulk.insert_rows`, with exactly
the participants and initiatives asked for.  A person belongs to one "slot"
(a grassroots union, or "not listed" under an upper-level union, or no unit
below the province) and writes 1 + a Pareto share of the province's extra
initiatives in one to five sessions (days), each day drawn from
:func:`day_distributions`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sangkien.core.clock import local_datetime, start_of_day
from sangkien.demo import vietnamese
from sangkien.demo.scenarios.national_2023_units import PROFILES
from sangkien.initiatives.models import RecognitionForm, SectorBlock, Status

AS_OF = local_datetime(2023, 7, 26, 17)  # "tính ngày 26/7/2023"
LAST_DAY = AS_OF.date()
PHASE_1 = (dt.date(2022, 1, 8), dt.date(2022, 5, 31))
PHASE_2 = (dt.date(2022, 6, 1), dt.date(2023, 9, 1))
EFFECT = (dt.date(2021, 9, 1), dt.date(2023, 9, 1))
PHASE_1_SHARE = 0.34  # of submission sessions
CO_AUTHOR_ONLY, EXTRA_CO_AUTHORED = 0.07, 0.05
UNLISTED_UNDER_UPPER, NO_UNIT = 0.012, 0.004

PERSON_FIELDS = ("id", "full_name", "phone", "email", "job", "workplace", "user", "created_at")
INITIATIVE_FIELDS = (
    "id", "programme", "phase", "unit", "unit_unlisted", "unit_unlisted_name", "sector_block", "field",
    "title", "description", "effect_summary", "benefit_vnd", "recognition_form", "recognised_by",
    "recognised_on", "applied_from", "applied_to", "is_trade_secret", "award", "status", "status_reason",
    "tracking_code", "submission_token", "submitted_by", "entered_by", "submitted_at", "updated_at",
)
AUTHORSHIP_FIELDS = ("id", "initiative", "person", "position")

_HOURS = [0.2, 0.1, 0.05, 0.05, 0.05, 0.2, 0.8, 2.5, 5, 6, 6, 4.5, 2, 3, 5, 5.5, 5, 3.5, 2, 2.5,
          3.5, 3.5, 2, 0.8]
_SURGE_HOURS = [w * (2.5 if h >= 19 else 1) for h, w in enumerate(_HOURS)]
_RECOGNISED_BY = {"school": "Hiệu trưởng nhà trường", "high_school": "Hiệu trưởng nhà trường",
                  "commune": "Chủ tịch UBND xã", "agency": "Thủ trưởng cơ quan",
                  "hospital": "Giám đốc bệnh viện", "agri": "Thủ trưởng đơn vị",
                  "enterprise": "Giám đốc công ty", "fdi": "Tổng Giám đốc công ty"}
_REASONS: dict[str, str] = {Status.RETURNED: "Bổ sung giá trị làm lợi ước tính trong 01 năm.",
            Status.REJECTED: "Chưa được áp dụng thực tế tại đơn vị."}


# --- dates -------------------------------------------------------------------

Days = tuple[list[dt.date], list[float]]


def _days(first: dt.date, last: dt.date, weight: Callable[[dt.date], float]) -> Days:
    days, cumulative, running = [], [], 0.0
    day = first
    while day <= last:
        running += weight(day) * (0.7 if day.weekday() == 5 else 0.45 if day.weekday() == 6 else 1)
        days.append(day)
        cumulative.append(running)
        day += dt.timedelta(days=1)
    return days, cumulative


def day_distributions() -> tuple[Days, Days]:
    """Days of each phase (up to 26/7/2023) with cumulative weights: a pile-up
    before phase 1 closes on 31/5/2022 and before 26/7/2023, quarter-end
    drives, quiet Tết holidays and weekends."""
    end1 = PHASE_1[1]

    def phase_1(day: dt.date) -> float:
        left = (end1 - day).days
        quiet = 0.15 if dt.date(2022, 1, 29) <= day <= dt.date(2022, 2, 6) else 1
        return quiet * (0.35 + 2.0 * math.exp(-left / 14) + 10 * math.exp(-left / 2.2))

    span = (LAST_DAY - PHASE_2[0]).days
    quarter_ends = [dt.date(2022, 9, 30), dt.date(2022, 12, 31), dt.date(2023, 3, 31), dt.date(2023, 6, 30)]

    def phase_2(day: dt.date) -> float:
        t = (day - PHASE_2[0]).days / span
        drives = sum(0.4 * math.exp(-abs((day - q).days) / 4) for q in quarter_ends)
        quiet = 0.15 if dt.date(2023, 1, 19) <= day <= dt.date(2023, 1, 27) else 1
        return quiet * (0.22 + 0.5 * t * t + drives + 1.4 * math.exp(-(LAST_DAY - day).days / 12))

    return _days(PHASE_1[0], end1, phase_1), _days(PHASE_2[0], LAST_DAY, phase_2)


def _status(rng: random.Random, day: dt.date) -> str:
    """Old initiatives are mostly approved; those of the last days mostly wait."""
    age = (LAST_DAY - day).days
    draw = rng.random()
    if age > 45:
        cuts = ((0.90, Status.APPROVED), (0.95, Status.REJECTED), (0.97, Status.RETURNED))
    elif age > 10:
        cuts = ((0.65, Status.APPROVED), (0.68, Status.REJECTED), (0.72, Status.RETURNED))
    else:
        cuts = ((0.24, Status.APPROVED), (0.25, Status.REJECTED), (0.28, Status.RETURNED))
    return next((status for cut, status in cuts if draw < cut), Status.SUBMITTED)


# --- generation --------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """Where a participant's initiatives go: ``unit_id`` (+ "not listed" when ``unlisted``)."""

    unit_id: int
    unlisted: bool
    profile: str
    workplace: str  # empty for "not listed": each person then names their own workplace


@dataclass
class Context:
    """What every province shares: keys, adapters, the day distributions, the random source."""

    rng: random.Random
    programme_id: int
    phase_ids: dict[int, int]
    field_ids: dict[str, int]
    person_ids: Iterator[int]
    initiative_ids: Iterator[int]
    authorship_ids: Iterator[int]
    codes: Iterator[str]
    adapt_datetime: Callable[[dt.datetime], Any]
    adapt_date: Callable[[dt.date | None], Any]
    updated_at: Any
    phones: Iterator[int] = field(default_factory=lambda: iter(range(10**8)))
    days: tuple[Days, Days] = field(default_factory=day_distributions)
    _starts: dict[dt.date, dt.datetime] = field(default_factory=dict)
    _hours: tuple[list[float], ...] = field(default_factory=lambda: tuple(
        [sum(w[: h + 1]) for h in range(len(w))] for w in (_HOURS, _SURGE_HOURS, _HOURS[:17])))

    def phone(self) -> str:
        """A distinct mobile number: a counter through a bijection of 8 digits."""
        digits = (next(self.phones) * 48_271 + 7_919) % 10**8
        return f"+84{self.rng.choice('3789')}{digits:08d}"

    def moment(self, day: dt.date) -> dt.datetime:
        """An instant on local ``day``: working hours, evenings before phase 1 closes."""
        start = self._starts.get(day)
        if start is None:
            start = self._starts[day] = start_of_day(day)
        hours = self._hours[2] if day == LAST_DAY else self._hours[1] if (PHASE_1[1] - day).days in (0, 1, 2) \
            else self._hours[0]
        hour = self.rng.choices(range(len(hours)), cum_weights=hours)[0]
        return start + dt.timedelta(hours=hour, seconds=self.rng.randrange(3600))


@dataclass
class ProvinceRows:
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    initiatives: list[tuple[Any, ...]] = field(default_factory=list)
    authorships: list[tuple[Any, ...]] = field(default_factory=list)


def _benefit(rng: random.Random, median: int) -> int | None:
    """Estimated benefit, VND for one year, rounded to 100,000 (3 % left empty)."""
    draw = rng.random()
    if draw < 0.03:
        return None
    if median == 0:
        return 0 if draw < 0.65 else int(round(2_000_000 * rng.lognormvariate(0, 1), -5))
    return min(20_000_000_000, int(round(median * rng.lognormvariate(0, 1.2), -5)))


def generate_province(ctx: Context, *, participants: int, initiatives: int, slots: list[Slot],
                      weights: list[float]) -> ProvinceRows:
    """One province: exactly ``participants`` persons and ``initiatives`` initiatives.

    ``slots`` with their ``weights`` (relative numbers of participants).
    Raises ``ValueError`` when ``initiatives`` < main authors.
    """
    rng, out = ctx.rng, ProvinceRows()
    if participants == 0:
        if initiatives:
            raise ValueError("initiatives without participants")
        return out
    co_only = min(round(participants * CO_AUTHOR_ONLY), participants - 1)
    main = participants - co_only
    if initiatives < main:
        raise ValueError("fewer initiatives than main authors")
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    person_slot = rng.choices(range(len(slots)), cum_weights=cumulative, k=main)
    productivity = [min(rng.paretovariate(1.5), 40.0) for _ in range(main)]
    per_person = [1] * main
    for j in rng.choices(range(main), weights=productivity, k=initiatives - main):
        per_person[j] += 1

    (days_1, cum_1), (days_2, cum_2) = ctx.days
    phase_of = {True: ctx.phase_ids[1], False: ctx.phase_ids[2]}
    field_choices = {name: ([ctx.field_ids[c] for c, _w in p.fields], [w for _c, w in p.fields],
                            [c for c, _w in p.fields]) for name, p in PROFILES.items()}
    by_slot: dict[int, list[int]] = {}
    first_initiative: list[int] = []  # index of each main person's first initiative in out.initiatives
    person_ids: list[int] = []
    main_of: list[int] = []  # initiative index → main person index
    dates: list[dt.datetime] = []
    for j in range(main):
        slot = slots[person_slot[j]]
        by_slot.setdefault(person_slot[j], []).append(j)
        spec = PROFILES[slot.profile]
        person_id = next(ctx.person_ids)
        person_ids.append(person_id)
        workplace = slot.workplace or vietnamese.workplace(rng, slot.profile)
        count = per_person[j]
        sessions = 1 if count == 1 else min(count, rng.choice((1, 1, 2, 2, 3, 4)) + (count > 12))
        days = [rng.choices(days_1, cum_weights=cum_1)[0] if rng.random() < PHASE_1_SHARE
                else rng.choices(days_2, cum_weights=cum_2)[0] for _ in range(sessions)]
        first_initiative.append(len(out.initiatives))
        earliest = None
        ids, weights_, codes = field_choices[slot.profile]
        for k in range(count):
            day = days[k] if k < sessions else days[rng.randrange(sessions)]
            at = ctx.moment(day)
            earliest = at if earliest is None or at < earliest else earliest
            status = _status(rng, day)
            pick = rng.choices(range(len(ids)), weights_)[0]
            title = vietnamese.title(rng, codes[pick], workplace)
            draw = rng.random()
            recognition = (RecognitionForm.RECOGNITION_DECISION if draw < 0.45 else RecognitionForm.REWARD_DECISION
                           if draw < 0.55 else RecognitionForm.OTHER if draw < 0.60 else "")
            recognised_on = max(EFFECT[0], day - dt.timedelta(days=rng.randint(3, 120))) if recognition else None
            initiative_id = next(ctx.initiative_ids)
            out.initiatives.append((
                initiative_id, ctx.programme_id, phase_of[day <= PHASE_1[1]], slot.unit_id, slot.unlisted,
                workplace if slot.unlisted else "", spec.sector, ids[pick], title,
                vietnamese.description(rng, title), rng.choice(vietnamese.EFFECTS),
                _benefit(rng, spec.benefit_median), recognition,
                _RECOGNISED_BY[slot.profile] if recognition else "", ctx.adapt_date(recognised_on),
                ctx.adapt_date(max(EFFECT[0], day - dt.timedelta(days=rng.randint(20, 300)))), None,
                spec.sector == SectorBlock.ENTERPRISE and rng.random() < 0.01, "", status,
                _REASONS.get(status, ""), next(ctx.codes), None, None, None, ctx.adapt_datetime(at),
                ctx.updated_at,
            ))
            out.authorships.append((next(ctx.authorship_ids), initiative_id, person_id, 0))
            main_of.append(j)
            dates.append(at)
        out.persons.append((person_id, vietnamese.person_name(rng), ctx.phone(), "", rng.choice(spec.jobs),
                            workplace[:255], None, ctx.adapt_datetime(earliest)))  # type: ignore[arg-type]  # count >= 1: set above

    # Co-authors: some people are only co-authors; some authors also co-author a colleague's.
    positions: dict[int, int] = {}
    taken: set[tuple[int, int]] = set()

    def co_author(index: int, person_id: int) -> None:
        position = positions.get(index, 1)
        positions[index] = position + 1
        taken.add((index, person_id))
        out.authorships.append((next(ctx.authorship_ids), out.initiatives[index][0], person_id, position))

    for _ in range(co_only):
        j = rng.randrange(main)
        index = first_initiative[j] + rng.randrange(per_person[j])
        slot = slots[person_slot[j]]
        person_id = next(ctx.person_ids)
        co_author(index, person_id)
        out.persons.append((person_id, vietnamese.person_name(rng), ctx.phone(), "",
                            rng.choice(PROFILES[slot.profile].jobs), (slot.workplace or out.initiatives[index][5])[:255],
                            None, ctx.adapt_datetime(dates[index])))
    for _ in range(round(initiatives * EXTRA_CO_AUTHORED)):
        index = rng.randrange(initiatives)
        j = main_of[index]
        colleague = rng.choice(by_slot[person_slot[j]])
        if colleague != j and (index, person_ids[colleague]) not in taken:
            co_author(index, person_ids[colleague])
    return out


def province_slots(*, province_id: int, uppers: list[tuple[int, str, list[tuple[int, str, str, int]]]]
                   ) -> tuple[list[Slot], list[float]]:
    """Slots of a province and their weights.

    ``uppers``: (unit id, main profile, grassroots as (unit id, profile,
    workplace, members)).  A grassroots union weighs members ** 0.75; "not
    listed" under each upper-level union and "no unit" get
    :data:`UNLISTED_UNDER_UPPER` and :data:`NO_UNIT` of the total.
    """
    slots, weights = [], []
    for _upper_id, _profile, grassroots in uppers:
        for unit_id, profile, workplace, members in grassroots:
            slots.append(Slot(unit_id, False, profile, workplace))
            weights.append(max(members, 1) ** 0.75)
    total = sum(weights)
    listed = 1 - UNLISTED_UNDER_UPPER - NO_UNIT
    count = sum(len(g) for _u, _p, g in uppers)
    for upper_id, profile, grassroots in uppers:
        slots.append(Slot(upper_id, True, profile, ""))
        weights.append(total / listed * UNLISTED_UNDER_UPPER * len(grassroots) / count)
    slots.append(Slot(province_id, True, "enterprise", ""))
    weights.append(total / listed * NO_UNIT)
    return slots, weights

"""Plausibility holds: imports and submissions larger than plausible for their unit.

Source: issue 9 item 8 — "a support-team member of one grassroots union
imported 100,000 rows and made it first in the province with 100,004
participants".  Figures larger than plausible for the unit are not counted
until an officer of the level above confirms them (national scope confirms
its own level).  The rule, in one place (:func:`assess`), with the numbers
from settings (docs/configuration.md, docs/imports.md "Plausibility holds"):

- **floor** (``SANGKIEN_PLAUSIBILITY_FLOOR``, 50): a unit whose participants
  and initiatives in the programme stay at or below it is never held, so
  small units are not bothered;
- **members** (``SANGKIEN_PLAUSIBILITY_MEMBERS_FACTOR``, 1): the
  participants (distinct authors and co-authors, as counted by
  ``reports.counting``) of the unit's subtree may not exceed factor × its
  members — the sum of ``Unit.member_count`` of the grassroots unions in it,
  used only when every active grassroots union there has a count (the same
  counts that DOMAIN.md's 2 % participation rule uses).  The bound is on
  participants, not initiatives: one person may legitimately write several
  (national, 26/7/2023: 1,892,577 initiatives by 350,405 people);
- **grassroots maximum** (``SANGKIEN_PLAUSIBILITY_GRASSROOTS_MAX``, 10,000):
  a grassroots union without a member count may not pass this many
  participants;
- **history** (``SANGKIEN_PLAUSIBILITY_HISTORY_FACTOR``, 5; imports only): the
  unit subtree's initiatives in the programme may not exceed factor × the
  largest count it reached in another programme (none: no bound);
- **per person per day** (``SANGKIEN_PLAUSIBILITY_DAILY_PER_PERSON``, 10; web
  submissions only): one person's initiatives in a programme on one local
  day (Asia/Ho_Chi_Minh) beyond this are held.

An import that breaks the rule is held before anything is saved
(``sangkien.imports.holds``); a web submission that breaks it is saved with
``Initiative.held_at`` set and left out of every count until released
(:func:`release_hold`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sangkien.core.clock import LOCAL_TZ, end_of_day, now, start_of_day
from sangkien.core.exceptions import InvalidTransition, NotAllowed
from sangkien.core.models import log_action
from sangkien.initiatives.models import Authorship, Initiative, InitiativeQuerySet
from sangkien.programmes.models import Programme
from sangkien.units.models import Unit, UnitKind, subtree_path_range

if TYPE_CHECKING:
    from sangkien.accounts.models import User

MEMBERS, GRASSROOTS_MAX, HISTORY, DAILY = "members", "grassroots_max", "history", "daily"
IMPORT_RULES = (MEMBERS, GRASSROOTS_MAX, HISTORY)
SUBMISSION_RULES = (MEMBERS, GRASSROOTS_MAX)


@dataclass(frozen=True)
class Limits:
    """The numbers of the rule (settings ``SANGKIEN_PLAUSIBILITY_*``)."""

    floor: int = 50
    members_factor: float = 1.0
    history_factor: float = 5.0
    grassroots_max: int = 10_000
    daily_per_person: int = 10


def limits() -> Limits:
    """The limits now in force, from settings (defaults as in :class:`Limits`)."""
    default = Limits()
    return Limits(**{name: getattr(settings, f"SANGKIEN_PLAUSIBILITY_{name.upper()}", getattr(default, name))
                     for name in ("floor", "members_factor", "history_factor", "grassroots_max",
                                  "daily_per_person")})


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


@dataclass(frozen=True)
class Hold:
    """Why figures were held: ``rule`` (one of the constants above), ``figure``
    (what the unit would reach: participants, or initiatives for ``history``
    and ``daily``), ``basis`` (members, the earlier best count, or the
    limit itself) and ``limit`` (the largest plausible figure)."""

    rule: str
    figure: int
    basis: int
    limit: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Hold | None:
        """The hold stored by :meth:`as_dict`; ``None`` for an empty or foreign dict."""
        if not data or data.get("rule") not in (MEMBERS, GRASSROOTS_MAX, HISTORY, DAILY):
            return None
        return cls(rule=data["rule"], figure=int(data["figure"]), basis=int(data["basis"]),
                   limit=int(data["limit"]))

    def describe(self) -> str:
        """The reason in the reader's language, e.g. "100.000 người tham gia, đơn vị có 420 đoàn viên"."""
        figure, basis = _number(self.figure), _number(self.basis)
        if self.rule == MEMBERS:
            return ngettext("%(figure)s người tham gia, đơn vị có %(basis)s đoàn viên",
                            "%(figure)s người tham gia, đơn vị có %(basis)s đoàn viên",
                            self.basis) % {"figure": figure, "basis": basis}
        if self.rule == GRASSROOTS_MAX:
            return _("%(figure)s người tham gia ở một công đoàn cơ sở chưa khai số đoàn viên (tối đa "
                     "%(basis)s)") % {"figure": figure, "basis": basis}
        if self.rule == HISTORY:
            return _("%(figure)s sáng kiến, quá mức hợp lý %(limit)s (số cao nhất đơn vị từng có: "
                     "%(basis)s)") % {"figure": figure, "basis": basis, "limit": _number(self.limit)}
        return _("%(figure)s sáng kiến của một người trong một ngày (tối đa %(basis)s)") % {
            "figure": figure, "basis": basis}


def subtree_members(unit: Unit) -> int | None:
    """Members of ``unit``'s subtree: the sum of ``member_count`` of its active
    grassroots unions, or ``None`` when there is none or one has no count.
    A grassroots union without units below is read from ``unit`` itself (no query)."""
    if unit.numchild == 0:
        return unit.member_count if unit.kind == UnitKind.GRASSROOTS and unit.is_active else None
    grassroots = Unit.objects.filter(path__startswith=unit.path, is_active=True, kind=UnitKind.GRASSROOTS)
    figures = grassroots.aggregate(total=Sum("member_count"), n=Count("pk"), known=Count("member_count"))
    if not figures["n"] or figures["known"] != figures["n"]:
        return None
    return int(figures["total"] or 0)


def _counted_authorships(unit: Unit, programme_id: int) -> QuerySet[Authorship]:
    return Authorship.objects.filter(InitiativeQuerySet.counted_filter("initiative__"),
                                     initiative__programme_id=programme_id,
                                     initiative__unit__path__startswith=unit.path)


def counted_participants(unit: Unit, programme: Programme) -> int:
    """Participants (distinct authors and co-authors) counted now in ``unit``'s subtree for ``programme``."""
    return _counted_authorships(unit, programme.pk).values("person_id").distinct().count()


def counted_initiatives(unit: Unit, programme: Programme) -> int:
    """Initiatives counted now in ``unit``'s subtree for ``programme``."""
    return Initiative.objects.counted().filter(programme=programme, unit__path__startswith=unit.path).count()


def earlier_best(unit: Unit, programme: Programme) -> int:
    """The largest number of initiatives ``unit``'s subtree had counted in another programme (0: none)."""
    rows = (Initiative.objects.counted().filter(unit__path__startswith=unit.path).exclude(programme=programme)
            .order_by().values("programme_id").annotate(n=Count("pk")).values_list("n", flat=True))
    return max(rows, default=0)


def assess(*, unit: Unit, programme: Programme, participants_added: int, initiatives_added: int,
           check_participants: bool = True, rules: tuple[str, ...] = IMPORT_RULES,
           limit: Limits | None = None, participants_counted: int | None = None) -> Hold | None:
    """The hold for adding ``participants_added`` new participants and
    ``initiatives_added`` initiatives to ``unit``'s subtree in ``programme``,
    or ``None`` when plausible.  Checks ``rules`` in order (see the module);
    the participant rules only when ``check_participants`` (the addition
    brings someone new).  Each bound is at least the floor, so small units
    are never held; only the figures a rule needs are counted.
    ``participants_counted``: :func:`counted_participants` when the caller
    has just counted it (not counted again)."""
    limit = limit or limits()
    members = subtree_members(unit) if check_participants else None
    by_members = MEMBERS in rules and members is not None
    by_maximum = GRASSROOTS_MAX in rules and members is None and unit.kind == UnitKind.GRASSROOTS
    if check_participants and (by_members or by_maximum):
        if participants_counted is None:
            participants_counted = counted_participants(unit, programme)
        participants = participants_counted + participants_added
        if by_members and participants > max(limit.floor, members * limit.members_factor):  # type: ignore[operator]  # by_members: members is set
            return Hold(rule=MEMBERS, figure=participants, basis=members,  # type: ignore[arg-type]
                        limit=int(max(limit.floor, members * limit.members_factor)))  # type: ignore[operator]
        if by_maximum and participants > max(limit.floor, limit.grassroots_max):
            return Hold(rule=GRASSROOTS_MAX, figure=participants, basis=limit.grassroots_max,
                        limit=limit.grassroots_max)
    if HISTORY in rules and initiatives_added:
        best = earlier_best(unit, programme)
        bound = int(max(limit.floor, best * limit.history_factor))
        if best:
            initiatives = counted_initiatives(unit, programme) + initiatives_added
            if initiatives > bound:
                return Hold(rule=HISTORY, figure=initiatives, basis=best, limit=bound)
    return None


def _participant_rule_may_apply(unit: Unit) -> bool:
    """Whether :func:`assess`'s participant rules can hold a submission to ``unit``, without a query.

    A unit with units below may (its members are summed by :func:`subtree_members`); a unit with
    none only when it is a grassroots union (its own member count, or the grassroots maximum): a
    federation left without units below has neither bound.
    """
    return unit.numchild > 0 or unit.kind == UnitKind.GRASSROOTS


def _subtree_test(unit: Unit) -> tuple[str, list[Any]]:
    """``unit``'s subtree as a test of a ``units_unit.path`` column (``"u.path" + test``) and its
    parameters, as the ORM's ``path__startswith`` sends it (``units.models.PathStartsWith``): on
    SQLite a range of the path's index (:func:`~sangkien.units.models.subtree_path_range`), else
    the prefix ``LIKE``."""
    bounds = subtree_path_range(unit.path) if connection.vendor == "sqlite" else None
    if bounds is not None:
        return " BETWEEN %s AND %s", list(bounds)
    return f" {connection.operators['startswith']}", [connection.ops.prep_for_like_query(unit.path) + "%"]


def _submission_figures_sql(initiative: Initiative, person_ids: Sequence[int],
                            count_participants: bool) -> tuple[str, list[Any]]:
    """The statement of :func:`_submission_figures` and its parameters."""
    quote = connection.ops.quote_name
    authorship, initiative_table = quote(Authorship._meta.db_table), quote(Initiative._meta.db_table)
    unit_table = quote(Unit._meta.db_table)
    counted = " AND ".join(f"{{i}}.{quote(Initiative._meta.get_field(name).column)} IS NULL"  # type: ignore[union-attr,arg-type]  # concrete fields
                           for name in InitiativeQuerySet.UNCOUNTED_WHEN)
    unit = initiative.unit
    leaf = unit.numchild == 0  # its subtree is itself: its initiatives by their unit's index, no unit read
    subtree_test, subtree_params = ("", [unit.pk]) if leaf else _subtree_test(unit)
    subtree = [initiative.programme_id, *subtree_params, initiative.pk]

    def in_subtree(authorships: str, initiatives: str, units: str, *, from_units: bool) -> str:
        """The counted authorships of the unit's subtree for the programme, other than this initiative
        (parameters: ``subtree``), read from the subtree's units (``from_units``) or from the
        authorships (the others' conditions)."""
        tables = [f"{authorship} {authorships}", f"{initiative_table} {initiatives}"]
        if leaf:
            in_unit = f"{initiatives}.unit_id = %s"
        else:
            tables.append(f"{unit_table} {units}")
            in_unit = f"{units}.id = {initiatives}.unit_id AND {units}.path{subtree_test}"
        return (f" FROM {' CROSS JOIN '.join(reversed(tables) if from_units else tables)}"
                f" WHERE {initiatives}.id = {authorships}.initiative_id"
                f" AND {counted.format(i=initiatives)} AND +{initiatives}.programme_id = %s"
                f" AND {in_unit} AND {initiatives}.id <> %s")

    authors = sorted(set(person_ids))
    day = initiative.submitted_at.astimezone(LOCAL_TZ).date()
    adapt = connection.ops.adapt_datetimefield_value
    # PostgreSQL would copy ``known``'s sub-select into the CASE (planned and run twice) unless the
    # figures are materialised; SQLite reads them once either way, and faster without the hint.
    # ``CROSS JOIN`` fixes SQLite's order: the day's count and ``known`` from the authors' own
    # authorships, the participants from the subtree's units (without statistics its planner
    # started from the programme's initiatives, or those of the day: every submission of a deadline
    # day); PostgreSQL plans each as the inner join it is.  The unary ``+`` keeps both from reading
    # the programme's initiatives by its index: the unit's are a small part of them.
    materialized = " MATERIALIZED" if connection.vendor == "postgresql" else ""
    sql = (
        f"WITH f AS{materialized} (SELECT (SELECT COUNT(DISTINCT d.initiative_id) FROM {authorship} d"  # noqa: S608  # names from the models
        f" CROSS JOIN {initiative_table} di"
        f" WHERE di.id = d.initiative_id AND d.person_id = %s AND di.programme_id = %s"
        f" AND di.submitted_at >= %s AND di.submitted_at < %s)"
        f" AS same_day, (SELECT COUNT(DISTINCT k.person_id){in_subtree('k', 'ki', 'ku', from_units=False)}"
        f" AND k.person_id IN ({', '.join(['%s'] * len(authors))})) AS known)"
        " SELECT f.same_day, f.known,"
        f" CASE WHEN f.known < %s THEN (SELECT COUNT(DISTINCT a.person_id){in_subtree('a', 'i', 'u', from_units=True)}) END"
        " FROM f"
    )
    params = [person_ids[0], initiative.programme_id, adapt(start_of_day(day)), adapt(end_of_day(day)),
              *subtree, *authors, len(authors) if count_participants else 0, *subtree]
    return sql, params


def _submission_figures(initiative: Initiative, person_ids: Sequence[int], *,
                        count_participants: bool = True) -> tuple[int, int, int | None]:
    """``(same_day, known, participants)`` for :func:`assess_submission`, in one statement.

    ``same_day``: the initiatives of ``initiative``'s programme that ``person_ids[0]`` wrote or
    co-wrote on its local day of submission (Asia/Ho_Chi_Minh), this one included;
    ``known``: how many of ``person_ids`` are counted in its unit's subtree for the programme
    before it (authorships of counted initiatives, :meth:`InitiativeQuerySet.counted`, other than
    this one); ``participants``: the persons counted there — only when one of ``person_ids`` is
    not (``None`` otherwise, or when not ``count_participants``).

    The first two read the authors' own authorships (their indexes), whatever the unit's size;
    the participants are counted only when a rule needs them, from the unit's own initiatives
    (issue 12: counted on every submission, they cost PostgreSQL about 9 ms at 10,000 initiatives
    in the union and 45 ms at 50,000, and SQLite 20 ms at any size on the national tree;
    docs/benchmarks.md, "Plausibility check at a large union").  The database evaluates the
    ``CASE``'s sub-select only when its condition holds (both SQLite and PostgreSQL).

    Hand-written SQL on the submission's hot path (issue 12: the ORM aggregates it replaces
    cost more Python to build than the database spends on them); the tables and the "not counted
    when" columns come from the models, so it follows
    :data:`InitiativeQuerySet.UNCOUNTED_WHEN`.  Read on the primary, inside the submission's
    transaction (it must see the rows just written).
    """
    sql, params = _submission_figures_sql(initiative, person_ids, count_participants)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        same_day, known, participants = cursor.fetchone()
    return int(same_day), int(known), None if participants is None else int(participants)


def assess_submission(initiative: Initiative, *, limit: Limits | None = None,
                      person_ids: Sequence[int] | None = None) -> Hold | None:
    """The hold for a web submission just saved (its authorships included), or ``None``.

    Per person per day: the initiatives of ``programme`` written or co-written
    by the main author on the local day of submission, this one included.
    Members: only when one of its authors is a new participant of the unit.

    ``person_ids``: the persons of its authorships, main author first, when
    the caller has just written them (else read here).  One statement when
    no rule holds it (:func:`_submission_figures`: the day's count, how many
    of its authors the unit already counts and, only when one is new and a
    participant rule can apply, the unit's participants; issue 12: was three
    statements, then two, then one that always counted the unit).
    """
    limit = limit or limits()
    if person_ids is None:
        person_ids = list(Authorship.objects.filter(initiative=initiative).order_by("position")
                          .values_list("person_id", flat=True))
    if not person_ids:
        return None
    same_day, known, participants = _submission_figures(
        initiative, person_ids, count_participants=_participant_rule_may_apply(initiative.unit))
    if same_day > limit.daily_per_person:
        return Hold(rule=DAILY, figure=same_day, basis=limit.daily_per_person, limit=limit.daily_per_person)
    new = len(set(person_ids)) - known
    if not new or participants is None:
        return None  # every author is already counted in the unit (no one new), or no participant rule applies
    return assess(unit=initiative.unit, programme=initiative.programme, participants_added=0, initiatives_added=0,
                  rules=SUBMISSION_RULES, limit=limit, participants_counted=participants + new)


def hold_if_implausible(initiative: Initiative, *, actor: User,
                        person_ids: Sequence[int] | None = None) -> Hold | None:
    """Inside the submission's transaction: hold ``initiative`` when
    :func:`assess_submission` finds it implausible (audited); returns the hold.
    ``person_ids``: as for :func:`assess_submission`."""
    hold = assess_submission(initiative, person_ids=person_ids)
    if hold is not None:
        initiative.held_at = now()
        initiative.held_reason = hold.as_dict()
        initiative.save(update_fields=["held_at", "held_reason", "updated_at"])
        log_action(actor=actor, action="initiative.held", obj=initiative, unit=initiative.unit, **hold.as_dict())
    return hold


def held_reason(initiative: Initiative) -> str:
    """Why ``initiative`` is held, in the reader's language ("" when it is not)."""
    hold = Hold.from_dict(initiative.held_reason) if initiative.held_at else None
    return hold.describe() if hold else ""


def release_hold(*, initiative: Initiative, actor: User) -> Initiative:
    """A reviewer of the level above the initiative's unit releases it: it is counted from now on.

    Saving the initiative moves its ``updated_at``, so the roll-ups' next
    incremental refresh recounts it.

    :raises NotAllowed: ``actor`` may not release it (``initiatives.release_hold``).
    :raises InvalidTransition: it is not held.
    """
    if not actor.has_perm("initiatives.release_hold", initiative):
        raise NotAllowed(_("Chỉ người xét duyệt của cấp trên mới xác nhận được sáng kiến này."))
    with transaction.atomic():
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if locked.held_at is None:
            raise InvalidTransition(_("Sáng kiến này không ở trạng thái chờ xác nhận."))
        reason = locked.held_reason
        locked.held_at = None
        locked.held_reason = {}
        locked.save(update_fields=["held_at", "held_reason", "updated_at"])
        log_action(actor=actor, action="initiative.hold_released", obj=locked, unit=locked.unit, hold=reason)
    initiative.refresh_from_db()
    return initiative

"""Reorganisation plans: many dated changes to the tree, previewed, then applied in one transaction.

A plan is a list of :class:`PlanRow` (read from a CSV/XLSX file by
:mod:`sangkien.units.plan_file`, or built in code by ``national2025`` and by
the single-unit services).  Every change carries an effective date and never
rewrites the past (issue 11, docs/units.md):

- ``move`` / ``rename``: the old row is retired on ``effective_on`` and a new
  row (same code unless ``new_code``; ``new_name``; under ``new_parent_code``
  for a move) is created from that day, linked by a :class:`UnitSuccession`.
  The units below it that exist that day and are not named by another row of
  the plan come along: each gets a new row under the new one (a ``move``
  succession), so the old rows keep their places and what was sent to them
  keeps counting where it counted.
- ``merge``: the row is retired, linked to ``merge_into_code`` (the unit
  existing on ``effective_on``, possibly made by this plan: code 27 merges into
  the new 24); the units below it come along under the target.
- ``split``: one row per part (same ``code``, each with its ``new_code`` /
  ``new_name``, under ``new_parent_code`` or the same parent); the units below
  must be moved by other rows of the plan.
- ``dissolve``: the row is retired without successor; the units still below
  it move under ``new_parent_code`` when given (Hà Tĩnh: upper-level unions
  dissolved, grassroots under the province), else the row is refused.
- ``create``: a new unit ``code`` (``new_name``, ``kind``) under
  ``new_parent_code`` from ``effective_on``.

``code`` names the unit existing the day before ``effective_on``;
``new_parent_code`` and ``merge_into_code`` name units existing on
``effective_on``, after the rows they depend on.  Rows run in dependency
order (a row naming a code another row makes runs after it), then renames
and moves (shallow first), creates, splits, merges, dissolutions.  An
effective date in the future is refused: apply a plan on or after its date
(``is_active`` stays ``retired_on is None``).

What follows a unit (roles, targets of open programmes, pending reviews)
lives in apps above ``units``; they register a :data:`Follower` with
:func:`register_follower` in their ``AppConfig.ready()`` (the hook pattern of
docs/architecture.md).  Roles, targets and pending reviews follow a moved or
renamed unit; on a merge targets are added to the target's and pending
reviews follow, while roles are listed for reassignment (the officers of the
merged unit would otherwise hold the whole successor); on a dissolution or a
split everything is listed for reassignment, nothing is dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.core.clock import local_now, now
from sangkien.core.models import log_action
from sangkien.units.models import (
    PlanStatus,
    ReorganisationPlan,
    SuccessionKind,
    Unit,
    UnitKind,
    UnitSuccession,
)

if TYPE_CHECKING:
    from sangkien.accounts.models import User

ACTIONS = ("move", "rename", "merge", "split", "dissolve", "create")
_RANK = {"rename": 0, "move": 0, "create": 1, "split": 2, "merge": 3, "dissolve": 4}
MAX_ROWS = 20_000
#: Audit action of each succession (the names the single-unit services always used).
AUDIT_ACTIONS = {"move": "unit.moved", "rename": "unit.renamed", "merge": "unit.merged", "split": "unit.split",
                 "dissolve": "unit.retired"}


@dataclass(frozen=True)
class PlanRow:
    """One change of a plan.  ``line`` is the file line (0 when built in code), for errors."""

    code: str
    action: str
    effective_on: dt.date
    new_parent_code: str | None = None
    new_code: str | None = None
    new_name: str | None = None
    merge_into_code: str | None = None
    kind: str | None = None
    line: int = 0

    def as_json(self) -> dict[str, Any]:
        """The row as JSON-ready data (the date as ISO text)."""
        data = dataclasses.asdict(self)
        data["effective_on"] = self.effective_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanRow:
        """The inverse of :meth:`as_json`."""
        return cls(**{**data, "effective_on": dt.date.fromisoformat(data["effective_on"])})


@dataclass(frozen=True)
class PlanError:
    """A refused row: ``line`` of the file (0: the plan as a whole), ``code`` of the unit, translated ``message``."""

    line: int
    code: str
    message: str
    reason: str = ""  # a short key: "has_active_units", "move_into_subtree", "not_found", …


@dataclass(frozen=True)
class PlanChange:
    """One unit changed: ``kind`` (a :class:`SuccessionKind` or ``"create"``), old and new code/name/parent."""

    line: int
    kind: str
    old_code: str
    old_name: str
    old_parent: str
    new_code: str
    new_name: str
    new_parent: str
    carried: int = 0  # units below it that came along
    effective_on: dt.date | None = None


@dataclass(frozen=True)
class FollowItem:
    """A record that follows a unit, or waits to be reassigned (``to_unit`` empty).

    ``what`` is ``"role"``, ``"target"`` or ``"review"``; ``label`` says which
    (who holds the role, which programme's target, which initiative).
    """

    what: str
    label: str
    from_unit: str
    to_unit: str = ""


@dataclass
class PlanPreview:
    """What a plan does (or did, when ``applied``).  Every list is in plan order."""

    rows: list[PlanRow]
    errors: list[PlanError] = field(default_factory=list)
    changes: list[PlanChange] = field(default_factory=list)
    follows: list[FollowItem] = field(default_factory=list)
    applied: bool = False
    plan_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_kind(self, kind: str) -> list[PlanChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def moved(self) -> list[PlanChange]:
        return [c for c in self.changes if c.kind in (SuccessionKind.MOVE, SuccessionKind.RENAME)]

    @property
    def dissolved(self) -> list[PlanChange]:
        return self.by_kind(SuccessionKind.DISSOLVE)

    @property
    def to_reassign(self) -> list[FollowItem]:
        return [f for f in self.follows if not f.to_unit]

    def count(self, what: str) -> int:
        return sum(1 for f in self.follows if f.what == what)

    def summary(self) -> dict[str, int]:
        """Counts for the audit log and the plan record."""
        kinds = {k: len(self.by_kind(k)) for k in (*SuccessionKind.values, "create")}
        carried = sum(c.carried for c in self.changes)
        return {**kinds, "carried": carried, "roles": self.count("role"), "targets": self.count("target"),
                "reviews": self.count("review"), "to_reassign": len(self.to_reassign), "errors": len(self.errors)}


#: ``(old, new or None, kind, actor) → items``: moves what hangs on ``old`` to ``new`` (or lists it).
Follower = Callable[[Unit, Unit | None, str, Any], list[FollowItem]]
_followers: list[Follower] = []


def register_follower(follower: Follower) -> None:
    """Add ``follower`` (apps above ``units`` call this once, in ``ready()``)."""
    if follower not in _followers:
        _followers.append(follower)


class _Rollback(Exception):
    pass


class _RowRefused(Exception):
    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.message, self.reason = message, reason


class PlanRefused(ValidationError):
    """A plan with refused rows was not applied; ``preview.errors`` lists them (code ``plan_has_errors``)."""

    def __init__(self, preview: PlanPreview) -> None:
        super().__init__([f"{_line_label(e.line)}{e.code}: {e.message}" for e in preview.errors],
                         code="plan_has_errors")
        self.preview = preview


def preview_plan(*, rows: Iterable[PlanRow], actor: User | None, scope: Unit | None = None) -> PlanPreview:
    """What ``rows`` would do: the plan is run in a transaction that is rolled back.

    Returns a :class:`PlanPreview` with the changes, what follows each unit and
    where, and every refused row (``errors``).  Writes nothing.  With
    ``scope`` (an officer's unit), a row naming a unit outside its subtree is
    refused (reason ``out_of_scope``).
    """
    rows = list(rows)
    preview = PlanPreview(rows=rows)
    try:
        with transaction.atomic():
            _run(rows, actor=actor, preview=preview, plan=None, scope=scope)
            raise _Rollback
    except _Rollback:
        pass
    return preview


def apply_plan(*, rows: Iterable[PlanRow], actor: User | None, plan: ReorganisationPlan | None = None,
               scope: Unit | None = None) -> PlanPreview:
    """Apply ``rows`` in one transaction; audited (``units.plan_applied`` plus one entry per change).

    ``scope`` as for :func:`preview_plan`.
    ``plan`` is the record of the uploaded file (made here when ``None``);
    it ends ``applied``.  A plan already applied is not applied again (a
    second confirmation returns its preview with ``applied`` set and no change).
    Raises :class:`PlanRefused` (a ``ValidationError``, code
    ``plan_has_errors``, one message per refused row) when any row is
    refused: then nothing is written.
    """
    rows = list(rows)
    preview = PlanPreview(rows=rows)
    with transaction.atomic():
        if plan is not None:
            plan = ReorganisationPlan.objects.select_for_update().get(pk=plan.pk)
            if plan.status == PlanStatus.APPLIED:
                preview.applied, preview.plan_id = True, plan.pk
                return preview
        user = actor if getattr(actor, "is_authenticated", False) else None
        if plan is None:
            plan = ReorganisationPlan.objects.create(created_by=user, created_at=now(), scope=scope,
                                                     rows=[r.as_json() for r in rows])
        try:
            with transaction.atomic():
                _run(rows, actor=actor, preview=preview, plan=plan, scope=scope)
                if preview.errors:
                    raise _Rollback
        except _Rollback:
            raise PlanRefused(preview) from None
        plan.status, plan.applied_by, plan.applied_at = PlanStatus.APPLIED, user, now()
        plan.summary = {**preview.summary(),
                        "reassign": [dataclasses.asdict(item) for item in preview.to_reassign][:500]}
        plan.save(update_fields=["status", "applied_by", "applied_at", "summary"])
        log_action(actor=actor, action="units.plan_applied", obj=plan, file_sha256=plan.file_sha256,
                   rows=len(rows), **preview.summary())
    preview.applied, preview.plan_id = True, plan.pk
    return preview


def _line_label(line: int) -> str:
    return _("dòng %(line)s, ") % {"line": line} if line else ""


# --- running a plan -------------------------------------------------------------

@dataclass
class _Context:
    actor: User | None
    preview: PlanPreview
    plan: ReorganisationPlan | None
    named: set[int]  # pks of the old units named by a row (they are not carried along by another row)
    today: dt.date
    emptied: list[tuple[PlanRow, int]] = field(default_factory=list)  # dissolved/split: nothing may stay below
    scope: Unit | None = None

    def check_scope(self, unit: Unit) -> None:
        """Refuse a unit outside the officer's scope."""
        if self.scope is not None and not unit.path.startswith(self.scope.path):
            raise _RowRefused(_("đơn vị %(unit)s (%(code)s) nằm ngoài phạm vi của bạn (%(scope)s)")
                              % {"unit": unit.name, "code": unit.code, "scope": self.scope.name}, "out_of_scope")


def _run(rows: list[PlanRow], *, actor: User | None, preview: PlanPreview, plan: ReorganisationPlan | None,
         scope: Unit | None = None) -> None:
    """Check every row, then run the good ones in order, each in its savepoint; errors go to ``preview``."""
    ctx = _Context(actor=actor, preview=preview, plan=plan, named=set(), today=local_now().date(), scope=scope)
    if len(rows) > MAX_ROWS:
        preview.errors.append(PlanError(0, "", _("Phương án có quá %(n)s dòng.") % {"n": MAX_ROWS}))
        return
    old_units: dict[int, Unit] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            _check_fields(row, ctx.today)
            if row.action != "create":
                old = Unit.objects.by_code(row.code, on=row.effective_on - dt.timedelta(days=1))
                if old is None:
                    raise _RowRefused(_("không có đơn vị mã “%(code)s” vào ngày %(day)s")
                                      % {"code": row.code, "day": _day(row.effective_on - dt.timedelta(days=1))},
                                      "not_found")
                if scope is not None and old.pk == scope.pk:
                    raise _RowRefused(_("không thể sắp xếp chính đơn vị %(unit)s tại đây") % {"unit": old.name},
                                      "out_of_scope")
                ctx.check_scope(old)
                if old.valid_from and old.valid_from >= row.effective_on:
                    raise _RowRefused(_("đơn vị chỉ có từ ngày %(day)s") % {"day": _day(old.valid_from)})
                if row.code in seen and not (row.action == "split" and rows[seen[row.code]].action == "split"):
                    raise _RowRefused(_("đơn vị đã có ở dòng %(line)s của phương án")
                                      % {"line": rows[seen[row.code]].line or seen[row.code] + 1})
                seen.setdefault(row.code, index)
                old_units[index] = old
                ctx.named.add(old.pk)
        except _RowRefused as refused:
            preview.errors.append(PlanError(row.line, row.code, refused.message, refused.reason))
    if preview.errors:
        return
    for index in _order(rows, old_units):
        row = rows[index]
        try:
            with transaction.atomic():
                _run_row(row, old_units.get(index), ctx)
        except _RowRefused as refused:
            preview.errors.append(PlanError(row.line, row.code, refused.message, refused.reason))
    for row, pk in ctx.emptied:
        left = list(Unit.objects.get_children(Unit.objects.get(pk=pk)).as_of(row.effective_on)
                    .values_list("code", flat=True)[:6])
        if left:
            what = _("giải thể") if row.action == "dissolve" else _("chia tách")
            preview.errors.append(PlanError(row.line, row.code, _(
                "không thể %(what)s: còn đơn vị trực thuộc (%(codes)s) chưa được chuyển; hãy thêm dòng chuyển các "
                "đơn vị này hoặc ghi mã đơn vị cấp trên mới") % {"what": what, "codes": ", ".join(left[:5])
                                                                 + ("…" if len(left) > 5 else "")},
                "has_active_units"))


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_fields(row: PlanRow, today: dt.date) -> None:
    if row.action not in ACTIONS:
        raise _RowRefused(_("thao tác “%(action)s” không hợp lệ (move, rename, merge, split, dissolve, create)")
                          % {"action": row.action})
    if not row.code:
        raise _RowRefused(_("thiếu mã đơn vị"))
    if row.effective_on > today:
        raise _RowRefused(_("ngày hiệu lực %(day)s chưa đến: hãy áp dụng phương án từ ngày đó")
                          % {"day": _day(row.effective_on)})
    need = {"move": ("new_parent_code",), "merge": ("merge_into_code",), "create": ("new_parent_code", "new_name",
                                                                                       "kind")}
    labels = {"new_parent_code": _("mã đơn vị cấp trên mới"), "merge_into_code": _("mã đơn vị sáp nhập vào"),
              "new_name": _("tên mới"), "kind": _("loại đơn vị")}
    missing = [labels[name] for name in need.get(row.action, ()) if not getattr(row, name)]
    if row.action in ("rename", "split") and not (row.new_name or row.new_code):
        missing.append(_("tên mới hoặc mã mới"))
    if missing:
        raise _RowRefused(_("thiếu %(fields)s") % {"fields": ", ".join(missing)})
    if row.kind and row.kind not in UnitKind.values:
        raise _RowRefused(_("loại đơn vị “%(kind)s” không hợp lệ") % {"kind": row.kind})
    code = row.new_code or row.code
    if len(code) > 40 or any(ch.isspace() for ch in code):
        raise _RowRefused(_("mã “%(code)s” không hợp lệ (tối đa 40 ký tự, không có khoảng trắng)") % {"code": code})
    if row.new_name and len(row.new_name) > 255:
        raise _RowRefused(_("tên dài quá 255 ký tự"))


def _order(rows: list[PlanRow], old_units: dict[int, Unit]) -> list[int]:
    """Row indexes in dependency order (a row naming a code another row makes comes after it)."""
    makes: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row.action in ("create", "rename", "move", "split"):
            makes.setdefault(row.new_code or row.code if row.action != "create" else row.code, []).append(index)
    level: dict[int, int] = {}

    def level_of(index: int, depth: int = 0) -> int:
        if index in level:
            return level[index]
        if depth > len(rows):  # a cycle: leave it to the run, where it fails on the missing unit
            return 0
        row = rows[index]
        deps = [i for code in (row.new_parent_code, row.merge_into_code) if code
                for i in makes.get(code, ()) if i != index]
        level[index] = 1 + max((level_of(i, depth + 1) for i in deps), default=-1)
        return level[index]

    def key(index: int) -> tuple[int, int, int, int]:
        row = rows[index]
        old = old_units.get(index)
        depth = old.depth if old else 0
        if row.action in ("merge", "dissolve"):
            depth = -depth  # deepest first
        return (level_of(index), _RANK[row.action], depth, index)

    return sorted(range(len(rows)), key=key)


def _existing(code: str, on: dt.date, what: str, ctx: _Context) -> Unit:
    unit: Unit | None = Unit.objects.by_code(code, on=on)
    if unit is None:
        raise _RowRefused(_("không có %(what)s mã “%(code)s” vào ngày %(day)s")
                          % {"what": what, "code": code, "day": _day(on)}, "target_not_found")
    ctx.check_scope(unit)
    return unit


def _run_row(row: PlanRow, old: Unit | None, ctx: _Context) -> None:
    on = row.effective_on
    if row.action == "create":
        parent = _existing(row.new_parent_code or "", on, _("đơn vị cấp trên"), ctx)
        if Unit.objects.by_code(row.code, on=on) is not None or Unit.objects.not_retired().filter(code=row.code).exists():
            raise _RowRefused(_("mã “%(code)s” đã thuộc một đơn vị đang có") % {"code": row.code}, "code_taken")
        unit = _add(parent, code=row.code, name=row.new_name or "", kind=row.kind or "", member_count=None,
                    on=on, actor=ctx.actor)
        ctx.preview.changes.append(PlanChange(row.line, "create", "", "", "", unit.code, unit.name, parent.name,
                                              effective_on=on))
        log_action(actor=ctx.actor, action="unit.created", obj=unit, unit=unit, parent=parent.code,
                   valid_from=on.isoformat(), plan=ctx.plan.pk if ctx.plan else None)
        return
    assert old is not None
    old = Unit.objects.select_for_update().get(pk=old.pk)
    split_again = row.action == "split" and old.retired_on == on and any(r is row or r.code == row.code
                                                                        for r, _pk in ctx.emptied)
    if old.retired_on is not None and old.retired_on <= on and not split_again:
        raise _RowRefused(_("đơn vị đã ngừng hoạt động từ ngày %(day)s") % {"day": _day(old.retired_on)},
                          "retired")
    old_parent = Unit.objects.get_parent(old, update=True)
    if row.action in ("move", "rename"):
        parent = old_parent
        if row.action == "move":
            parent = _existing(row.new_parent_code or "", on, _("đơn vị cấp trên"), ctx)
            if parent.path.startswith(old.path):
                raise _RowRefused(_("không thể chuyển đơn vị %(unit)s vào chính nó hoặc một đơn vị trực thuộc nó")
                                  % {"unit": old.name}, "move_into_subtree")
        if parent is None:
            raise _RowRefused(_("không thể đổi đơn vị gốc của cây"))
        new, carried = _succeed(old, parent, row.action, on, ctx, code=row.new_code or old.code,
                                name=row.new_name or old.name, unit_kind=row.kind or old.kind)
        ctx.preview.changes.append(_change(row, row.action, old, old_parent, new, parent, carried))
    elif row.action == "split":
        parent = _existing(row.new_parent_code, on, _("đơn vị cấp trên"), ctx) if row.new_parent_code else old_parent
        if parent is None:
            raise _RowRefused(_("không thể đổi đơn vị gốc của cây"))
        if not split_again:
            _retire(old, on, ctx.actor, merged_into=None)
            ctx.emptied.append((row, old.pk))
        if Unit.objects.not_retired().filter(code=row.new_code or old.code).exists():
            raise _RowRefused(_("mã “%(code)s” đã thuộc một đơn vị đang có") % {"code": row.new_code or old.code},
                              "code_taken")
        new = _add(parent, code=row.new_code or old.code, name=row.new_name or old.name, kind=row.kind or old.kind,
                   member_count=None, on=on, actor=ctx.actor)
        _link(old, new, SuccessionKind.SPLIT, ctx)
        ctx.preview.changes.append(_change(row, SuccessionKind.SPLIT, old, old_parent, new, parent))
    elif row.action == "merge":
        target = _existing(row.merge_into_code or "", on, _("đơn vị sáp nhập vào"), ctx)
        if target.path.startswith(old.path):
            raise _RowRefused(_("không thể sáp nhập đơn vị %(unit)s vào chính nó hoặc một đơn vị trực thuộc nó")
                              % {"unit": old.name}, "merge_into_itself")
        carried = _carry_children(old, target, on, ctx)
        old.refresh_from_db()
        _retire(old, on, ctx.actor, merged_into=target)
        _link(old, target, SuccessionKind.MERGE, ctx)
        ctx.preview.changes.append(_change(row, SuccessionKind.MERGE, old, old_parent, target,
                                           Unit.objects.get_parent(target, update=True), carried))
    elif row.action == "dissolve":
        carried = 0
        if row.new_parent_code:
            parent = _existing(row.new_parent_code, on, _("đơn vị cấp trên"), ctx)
            if parent.path.startswith(old.path):
                raise _RowRefused(_("không thể chuyển các đơn vị trực thuộc vào chính đơn vị giải thể"))
            carried = _carry_children(old, parent, on, ctx)
        ctx.emptied.append((row, old.pk))
        old.refresh_from_db()
        _retire(old, on, ctx.actor, merged_into=None)
        _link(old, None, SuccessionKind.DISSOLVE, ctx)
        ctx.preview.changes.append(PlanChange(row.line, SuccessionKind.DISSOLVE, old.code, old.name,
                                              old_parent.name if old_parent else "", "", "", "", carried,
                                              effective_on=on))


def _change(row: PlanRow, kind: str, old: Unit, old_parent: Unit | None, new: Unit, new_parent: Unit | None,
            carried: int = 0) -> PlanChange:
    return PlanChange(row.line, kind, old.code, old.name, old_parent.name if old_parent else "", new.code, new.name,
                      new_parent.name if new_parent else "", carried, effective_on=row.effective_on)


def _succeed(old: Unit, parent: Unit, succession: str, on: dt.date, ctx: _Context, *,
             code: str, name: str, unit_kind: str, note: str = "") -> tuple[Unit, int]:
    """Retire ``old`` on ``on``, make its new row under ``parent``, carry its subtree along.

    Returns the new row and how many units below came along.
    """
    _retire(old, on, ctx.actor, merged_into=None)
    if code != old.code and Unit.objects.not_retired().filter(code=code).exists():
        raise _RowRefused(_("mã “%(code)s” đã thuộc một đơn vị đang có") % {"code": code}, "code_taken")
    new = _add(parent, code=code, name=name, kind=unit_kind, member_count=old.member_count, on=on, actor=ctx.actor)
    _link(old, new, succession, ctx, note=note)
    return new, _carry_children(old, new, on, ctx)


def _carry_children(old: Unit, new_parent: Unit, on: dt.date, ctx: _Context) -> int:
    """Give every unit below ``old`` existing on ``on`` (and not named by the plan) a new row under ``new_parent``.

    Returns how many units came along (the whole subtree).
    """
    carried = 0
    children = list(Unit.objects.get_children(old).as_of(on).exclude(pk__in=ctx.named).values_list("pk", flat=True))
    for pk in children:
        child = Unit.objects.select_for_update().get(pk=pk)
        _new, below = _succeed(child, new_parent, SuccessionKind.MOVE, on, ctx, code=child.code, name=child.name,
                               unit_kind=child.kind,
                               note=_("cùng đơn vị cấp trên %(code)s") % {"code": old.code})
        carried += 1 + below
    return carried


def _retire(unit: Unit, on: dt.date, actor: User | None, *, merged_into: Unit | None) -> None:
    unit.retired_on, unit.is_active, unit.merged_into = on, False, merged_into
    unit._history_user = actor if getattr(actor, "is_authenticated", False) else None
    unit.save(update_fields=["retired_on", "is_active", "merged_into"])


def _add(parent: Unit, *, code: str, name: str, kind: str, member_count: int | None, on: dt.date, actor: User | None) -> Unit:
    parent.refresh_from_db()
    unit = Unit(code=code, name=name, kind=kind, member_count=member_count, valid_from=on)
    unit._history_user = actor if getattr(actor, "is_authenticated", False) else None
    added: Unit = Unit.objects.add_child(parent, instance=unit)
    return added


def _link(old: Unit, new: Unit | None, kind: str, ctx: _Context, note: str = "") -> None:
    """Record the succession, its audit entry, and let every follower move what hangs on ``old``."""
    on = old.retired_on
    assert on is not None
    UnitSuccession.objects.create(predecessor=old, successor=new, kind=kind, effective_on=on, plan=ctx.plan,
                                  note=note[:255])
    log_action(actor=ctx.actor, action=AUDIT_ACTIONS[kind], obj=old, unit=old, successor=new.code if new else None,
               effective_on=on.isoformat(), plan=ctx.plan.pk if ctx.plan else None)
    for follower in _followers:
        ctx.preview.follows.extend(follower(old, new, kind, ctx.actor))

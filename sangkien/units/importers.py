"""Load or update the unit tree from CSV or JSON: parse → clean → validate → apply.

A staged pipeline (pretix's ``modelimport``).  Every row is parsed and
checked first; only a file without a single error is written, in one
transaction.  The same :func:`import_rows` applies the built-in national
tree (:mod:`sangkien.units.national`), so there is one code path.

Rows are matched by ``code``: a new code creates a unit, a changed
``name``/``kind``/``member_count``/``is_active`` updates it, a changed
``parent_code`` moves it (with its subtree).  Running the same file twice
changes nothing the second time.  The file format is in ``docs/units.md``.

Speed (~130,000 units): the database is read once into memory; new units
are written with ``bulk_create`` and paths computed here, appended after
the existing children of their parent, which keeps siblings sorted by code
(``Unit.node_order_by``).  Only a new unit whose code sorts before an
existing sibling goes through treebeard's one-by-one sorted insertion.
Moves are one by one (treebeard rewrites the moved branch); updates use
``bulk_update``.  History rows are written in bulk too.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import F
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from treebeard.exceptions import PathOverflow

from sangkien.core.models import log_action
from sangkien.units.models import Unit, UnitKind

if TYPE_CHECKING:
    from sangkien.accounts.models import User

COLUMNS = ("code", "name", "kind", "parent_code", "member_count", "is_active")
REQUIRED_COLUMNS = ("code", "name", "kind", "parent_code")
TRUE_WORDS = frozenset({"1", "true", "yes", "có", "x"})
FALSE_WORDS = frozenset({"0", "false", "no", "không"})
# CharFields: their max_length is set (django-stubs types it int | None).
CODE_MAX_LENGTH = cast(int, Unit._meta.get_field("code").max_length)
NAME_MAX_LENGTH = cast(int, Unit._meta.get_field("name").max_length)
MAX_DEPTH = cast(int, Unit._meta.get_field("path").max_length) // Unit.steplen
BATCH_SIZE = 500


@dataclass(frozen=True)
class RowError:
    """One problem in the input; ``where`` is "dòng 5" (CSV), "mục 5" (JSON) or "tệp"."""

    where: str
    message: str
    line: int = 0

    def __str__(self) -> str:
        return _("%(where)s: %(message)s") % {"where": capfirst(self.where), "message": self.message}


class UnitImportError(Exception):
    """The input has errors; nothing was written.  ``errors`` lists all of them, by line."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class UnitRow:
    """One unit as the input wants it.  ``parent_code`` is ``""`` for a root.

    ``member_count`` is applied only when ``set_member_count`` (the column or
    key was present); ``is_active`` ``None`` keeps the current value (new
    units are active).
    """

    code: str
    name: str
    kind: str
    parent_code: str = ""
    member_count: int | None = None
    set_member_count: bool = True
    is_active: bool | None = None
    line: int = 0
    where: str = ""


@dataclass(frozen=True)
class ImportSummary:
    """How many rows created / updated / moved / left unchanged units.

    A unit both moved and renamed counts in ``moved`` and ``updated``.
    """

    created: int
    updated: int
    moved: int
    unchanged: int
    dry_run: bool = False

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "moved": self.moved,
                "unchanged": self.unchanged}

    def __str__(self) -> str:
        text = _("Tạo mới %(created)s, cập nhật %(updated)s, chuyển %(moved)s, "
                 "không đổi %(unchanged)s đơn vị.") % self.as_dict()
        if self.dry_run:
            text = _("Chạy thử, không ghi gì: %(summary)s") % {"summary": text}
        return text


# --- parse and clean ---------------------------------------------------------

def read_rows(source: str | Path | IO[bytes], *, fmt: str | None = None) -> tuple[list[UnitRow], list[RowError]]:
    """Parse a CSV or JSON file (a path or a binary file object) into rows and errors.

    ``fmt`` is ``"csv"`` or ``"json"``; by default the file suffix decides,
    then the first character (``[`` or ``{`` means JSON).
    """
    if isinstance(source, str | Path):
        path = Path(source)
        data = path.read_bytes()
        fmt = fmt or {".csv": "csv", ".json": "json"}.get(path.suffix.lower())
    else:
        data = source.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(_("tệp"), _("tệp không phải văn bản UTF-8"))]
    if fmt is None:
        fmt = "json" if text.lstrip().startswith(("[", "{")) else "csv"
    return parse_json(text) if fmt == "json" else parse_csv(text)


def parse_csv(text: str) -> tuple[list[UnitRow], list[RowError]]:
    """Rows of a CSV text whose first line names the columns (``;`` works too, as Excel writes)."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        return [], [RowError(_("tệp"), _("tệp rỗng"))]
    columns = [h.strip().lower() for h in header]
    file_errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        file_errors.append(_("thiếu cột: %(columns)s") % {"columns": ", ".join(missing)})
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        file_errors.append(_("cột không xác định: %(columns)s") % {"columns": ", ".join(unknown)})
    if len(set(columns)) != len(columns):
        file_errors.append(_("có cột bị lặp lại"))
    if file_errors:
        return [], [RowError(_("dòng %(line)s") % {"line": 1}, msg, 1) for msg in file_errors]

    rows, errors = [], []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        where = _("dòng %(line)s") % {"line": line}
        if len(values) > len(columns) and any(v.strip() for v in values[len(columns):]):
            errors.append(RowError(where, _("dòng có nhiều giá trị hơn số cột"), line))
        values = values + [""] * (len(columns) - len(values))
        row, row_errors = clean_row(dict(zip(columns, values, strict=False)), line=line, where=where)
        rows.append(row)
        errors.extend(row_errors)
    return rows, errors


def parse_json(text: str) -> tuple[list[UnitRow], list[RowError]]:
    """Rows of a JSON list of units, flat (``parent_code``) or nested (``children``), or of one unit.

    Items are numbered 1, 2, … in reading order (a parent before its children).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [RowError(_("tệp"), _("JSON không hợp lệ ở dòng %(line)s: %(error)s")
                             % {"line": exc.lineno, "error": exc.msg})]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [], [RowError(_("tệp"), _("JSON phải là một danh sách đơn vị"))]

    rows, errors = [], []
    numbers = itertools.count(1)
    stack: list[tuple[Any, str | None]] = [(item, None) for item in reversed(data)]
    while stack:
        item, parent_code = stack.pop()
        line = next(numbers)
        where = _("mục %(line)s") % {"line": line}
        if not isinstance(item, dict):
            errors.append(RowError(where, _("mỗi đơn vị phải là một đối tượng JSON"), line))
            continue
        values = dict(item)
        unknown = sorted(set(values) - set(COLUMNS) - {"children"})
        if unknown:
            errors.append(RowError(where, _("khóa không xác định: %(keys)s") % {"keys": ", ".join(unknown)}, line))
        if parent_code is not None:
            given = _text(values.get("parent_code"))
            if given and given != parent_code:
                errors.append(RowError(where, _("parent_code “%(given)s” khác đơn vị chứa nó “%(parent)s”")
                                       % {"given": given, "parent": parent_code}, line))
            values["parent_code"] = parent_code
        row, row_errors = clean_row(values, line=line, where=where)
        rows.append(row)
        errors.extend(row_errors)
        children = values.get("children") or []
        if not isinstance(children, list):
            errors.append(RowError(where, _("children phải là một danh sách"), line))
            children = []
        stack.extend((child, row.code) for child in reversed(children))
    return rows, errors


def _text(value: Any) -> str | None:
    """A cell as stripped text; ``None`` when it is neither text nor a whole number."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def clean_row(values: Mapping[str, Any], *, line: int, where: str) -> tuple[UnitRow, list[RowError]]:
    """Convert one row's raw values; always returns a row so later checks still run."""
    errors = []
    texts = {}
    for key in ("code", "name", "kind", "parent_code"):
        text = _text(values.get(key))
        if text is None:
            errors.append(RowError(where, _("%(column)s phải là chữ") % {"column": key}, line))
        texts[key] = text or ""

    member_count = None
    raw = values.get("member_count")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        member_count = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        member_count = int(raw.strip())
    elif raw not in (None, "") and not (isinstance(raw, str) and not raw.strip()):
        errors.append(RowError(where, _("số đoàn viên “%(value)s” không hợp lệ: phải là số nguyên không âm")
                               % {"value": raw}, line))

    is_active = None
    raw = values.get("is_active")
    if isinstance(raw, bool):
        is_active = raw
    elif isinstance(raw, str | int) and str(raw).strip().lower() in TRUE_WORDS | FALSE_WORDS:
        is_active = str(raw).strip().lower() in TRUE_WORDS
    elif raw not in (None, "") and not (isinstance(raw, str) and not raw.strip()):
        errors.append(RowError(where, _("is_active “%(value)s” không hợp lệ: dùng 1/0, true/false hoặc có/không")
                               % {"value": raw}, line))

    row = UnitRow(code=texts["code"], name=texts["name"], kind=texts["kind"],
                  parent_code=texts["parent_code"], member_count=member_count,
                  set_member_count="member_count" in values, is_active=is_active,
                  line=line, where=where)
    return row, errors


# --- validate and plan -------------------------------------------------------

@dataclass(slots=True)
class _Existing:
    pk: int
    path: str
    parent_code: str
    name: str
    kind: str
    member_count: int | None
    is_active: bool


@dataclass
class _Plan:
    creates: list[UnitRow] = field(default_factory=list)  # parents before children
    moves: list[UnitRow] = field(default_factory=list)  # parents before children
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → changed fields
    unchanged: int = 0


def _load_existing() -> dict[str, _Existing]:
    """Every unit without an end date (``retired_on`` null: codes are unique among them), by code.

    Units retired or merged keep their code in the past; a row with that code
    creates a new unit (codes are reused across time, issue 11).
    """
    rows = list(Unit.objects.not_retired().values_list("pk", "code", "path", "name", "kind", "member_count",
                                                       "is_active"))
    code_by_path = {path: code for _pk, code, path, *_rest in rows}
    return {
        code: _Existing(pk, path, code_by_path.get(path[: -Unit.steplen], ""), name, kind, count, active)
        for pk, code, path, name, kind, count, active in rows
    }


def _field_errors(row: UnitRow) -> list[RowError]:
    def err(message: str) -> RowError:
        return RowError(row.where, message, row.line)

    errors = []
    if not row.code:
        errors.append(err(_("thiếu mã đơn vị (code)")))
    elif len(row.code) > CODE_MAX_LENGTH:
        errors.append(err(_("mã “%(code)s” dài quá %(max)s ký tự") % {"code": row.code, "max": CODE_MAX_LENGTH}))
    elif any(ch.isspace() for ch in row.code):
        errors.append(err(_("mã “%(code)s” có khoảng trắng") % {"code": row.code}))
    if not row.name:
        errors.append(err(_("thiếu tên đơn vị (name)")))
    elif len(row.name) > NAME_MAX_LENGTH:
        errors.append(err(_("tên dài quá %(max)s ký tự") % {"max": NAME_MAX_LENGTH}))
    if row.kind not in UnitKind.values:
        errors.append(err(_("loại đơn vị “%(kind)s” không hợp lệ; dùng một trong: %(choices)s")
                          % {"kind": row.kind, "choices": ", ".join(UnitKind.values)}))
    return errors


def _validate(rows: list[UnitRow], existing: Mapping[str, _Existing]) -> tuple[dict[str, UnitRow], dict[str, int], list[RowError]]:
    """Check the rows as a whole: codes, parents, cycles, depth.

    Returns the rows by code, the final depth of every code on a path from a
    row to its root, and the errors.
    """
    errors: list[RowError] = []
    by_code: dict[str, UnitRow] = {}
    for row in rows:
        errors.extend(_field_errors(row))
        if not row.code:
            continue
        if row.code in by_code:
            errors.append(RowError(row.where, _("mã “%(code)s” trùng với %(other)s")
                                   % {"code": row.code, "other": by_code[row.code].where}, row.line))
        else:
            by_code[row.code] = row

    for row in by_code.values():
        if row.parent_code and row.parent_code not in by_code and row.parent_code not in existing:
            errors.append(RowError(row.where, _("đơn vị cấp trên “%(parent)s” không có trong tệp và trong hệ thống")
                                   % {"parent": row.parent_code}, row.line))

    def parent_of(code: str) -> str:
        row = by_code.get(code)
        if row is None:
            return existing[code].parent_code if code in existing else ""
        known = row.parent_code in by_code or row.parent_code in existing
        return row.parent_code if known else ""

    # Each code has one parent: walk up from every row, memoising depths.
    depth: dict[str, int] = {}
    in_cycle = -1
    for start in by_code:
        chain: list[str] = []
        position: dict[str, int] = {}
        code = start
        while code and code not in depth:
            if code in position:
                cycle = chain[position[code]:]
                errors.append(_cycle_error(cycle, by_code))
                for member in cycle:
                    depth[member] = in_cycle
                break
            position[code] = len(chain)
            chain.append(code)
            code = parent_of(code)
        level = depth.get(code, 0) if code else 0
        for member in reversed(chain):
            if member not in depth:
                level = level + 1 if level != in_cycle else in_cycle
                depth[member] = level
    for row in by_code.values():
        if depth[row.code] > MAX_DEPTH:
            errors.append(RowError(row.where, _("đơn vị “%(code)s” ở cấp %(depth)s, quá %(max)s cấp")
                                   % {"code": row.code, "depth": depth[row.code], "max": MAX_DEPTH}, row.line))
    return by_code, depth, errors


def _cycle_error(cycle: list[str], by_code: Mapping[str, UnitRow]) -> RowError:
    def label(code: str) -> str:
        row = by_code.get(code)
        where = row.where if row else _("đã có trong hệ thống")
        return f"{code} ({where})"

    first = min((by_code[c] for c in cycle if c in by_code), key=lambda r: r.line)
    chain = " → ".join([label(c) for c in cycle] + [cycle[0]])
    return RowError(first.where, _("vòng lặp cấp trên (đơn vị → cấp trên của nó): %(cycle)s")
                    % {"cycle": chain}, first.line)


def _plan(by_code: Mapping[str, UnitRow], depth: Mapping[str, int], existing: Mapping[str, _Existing]) -> _Plan:
    plan = _Plan()
    for row in sorted(by_code.values(), key=lambda r: (depth[r.code], r.code)):
        current = existing.get(row.code)
        if current is None:
            plan.creates.append(row)
            continue
        changes: dict[str, Any] = {}
        if row.name != current.name:
            changes["name"] = row.name
        if row.kind != current.kind:
            changes["kind"] = row.kind
        if row.set_member_count and row.member_count != current.member_count:
            changes["member_count"] = row.member_count
        if row.is_active is not None and row.is_active != current.is_active:
            changes["is_active"] = row.is_active
        if changes:
            plan.updates[row.code] = changes
        if row.parent_code != current.parent_code:
            plan.moves.append(row)
        if not changes and row.parent_code == current.parent_code:
            plan.unchanged += 1
    return plan


# --- apply -------------------------------------------------------------------

def import_units(source: str | Path | IO[bytes], *, fmt: str | None = None, dry_run: bool = False,
                 actor: User | None = None) -> ImportSummary:
    """Read a CSV/JSON file and apply it (see :func:`read_rows`, :func:`import_rows`).

    Raises :class:`UnitImportError` with every error of the file; then nothing is written.
    """
    rows, errors = read_rows(source, fmt=fmt)
    return import_rows(rows, dry_run=dry_run, actor=actor, errors=errors)


def import_rows(rows: list[UnitRow], *, dry_run: bool = False, actor: User | None = None,
                errors: Iterable[RowError] = ()) -> ImportSummary:
    """Create, update and move units so the tree matches ``rows``, in one transaction.

    Units not in ``rows`` are left as they are (with their subtree, when a
    parent moves).  ``errors`` found while parsing are reported together with
    the ones found here.  Raises :class:`UnitImportError` listing every error;
    then nothing is written.  With ``dry_run`` nothing is written either, and
    the summary tells what would happen.  ``actor`` (a user or ``None`` for a
    command) is recorded in the history and the audit log.
    """
    with transaction.atomic():
        existing = _load_existing()
        by_code, depth, found = _validate(rows, existing)
        all_errors = [*errors, *found]
        if all_errors:
            raise UnitImportError(all_errors)
        plan = _plan(by_code, depth, existing)
        if not dry_run:
            user = actor if getattr(actor, "is_authenticated", False) else None
            _create(plan.creates, existing, user)
            for row in plan.moves:
                _move(row, existing[row.code].parent_code, user)
            _update(plan.updates, existing, user)
    return ImportSummary(created=len(plan.creates), updated=len(plan.updates), moved=len(plan.moves),
                         unchanged=plan.unchanged, dry_run=dry_run)


def _step(position: int) -> str:
    """One path step (treebeard's encoding: ``alphabet`` digits, ``steplen`` wide)."""
    base, digits = len(Unit.alphabet), ""
    while position:
        position, digit = divmod(position, base)
        digits = Unit.alphabet[digit] + digits
    if len(digits) > Unit.steplen:
        raise PathOverflow(_("quá nhiều đơn vị trực thuộc một đơn vị"))
    return digits.rjust(Unit.steplen, Unit.alphabet[0])


def _position(path: str) -> int:
    position = 0
    for char in path[-Unit.steplen:]:
        position = position * len(Unit.alphabet) + Unit.alphabet.index(char)
    return position


def _new_unit(row: UnitRow) -> Unit:
    return Unit(code=row.code, name=row.name, kind=row.kind, member_count=row.member_count,
                is_active=True if row.is_active is None else row.is_active)


def _create(creates: list[UnitRow], existing: Mapping[str, _Existing], user: User | None) -> None:
    """Create the new units; ``creates`` lists parents before children, then by code."""
    if not creates:
        return
    children: dict[str, list[UnitRow]] = defaultdict(list)  # parent code ("" = roots) → new rows
    for row in creates:
        children[row.parent_code].append(row)
    # Under an existing parent (or at the root), new units are appended after
    # the existing children when their codes all sort after them; otherwise
    # treebeard inserts them one by one at their sorted place.
    new_codes = {row.code for row in creates}
    outer = {code for code in children if code not in new_codes}
    last_code: dict[str, str] = {}
    last_position: dict[str, int] = {}
    for code, unit in existing.items():
        if unit.parent_code in outer:
            parent = unit.parent_code
            last_code[parent] = max(last_code.get(parent, ""), code)
            last_position[parent] = max(last_position.get(parent, 0), _position(unit.path))
    # Retired rows keep their paths among the siblings (issue 11): never append onto one.
    outer_paths = {existing[code].path: code for code in outer if code in existing}
    if "" in outer:
        outer_paths[""] = ""
    for path, code in Unit.objects.filter(retired_on__isnull=False).values_list("path", "code"):
        parent_of = outer_paths.get(path[: -Unit.steplen])
        if parent_of is not None:
            last_code[parent_of] = max(last_code.get(parent_of, ""), code)
            last_position[parent_of] = max(last_position.get(parent_of, 0), _position(path))
    one_by_one = {parent for parent in outer if parent in last_code and children[parent][0].code < last_code[parent]}
    inserted = set()
    for parent_code in sorted(one_by_one):
        parent_unit = Unit.objects.not_retired().get(code=parent_code) if parent_code else None
        for row in children[parent_code]:
            new_unit = _new_unit(row)
            new_unit._history_user = user
            if parent_unit is None:
                Unit.objects.add_root(instance=new_unit)
            else:
                Unit.objects.add_child(parent_unit, instance=new_unit)
            inserted.add(row.code)

    # Those insertions may have shifted siblings: read the paths again.
    paths = dict(Unit.objects.not_retired().values_list("code", "path")) if inserted else {c: u.path for c, u in existing.items()}
    next_position = {parent: last_position.get(parent, 0) for parent in outer - one_by_one}
    appended: dict[str, int] = defaultdict(int)
    units: list[Unit] = []
    for row in creates:
        if row.code in inserted:
            continue
        parent_path = paths[row.parent_code] if row.parent_code else ""
        position = next_position.get(row.parent_code, 0) + 1
        next_position[row.parent_code] = position
        path = parent_path + _step(position)
        paths[row.code] = path
        new_unit = _new_unit(row)
        new_unit.path, new_unit.depth = path, len(path) // Unit.steplen
        new_unit.numchild = len(children.get(row.code, ()))
        units.append(new_unit)
        if row.parent_code in outer or row.parent_code in inserted:
            appended[row.parent_code] += 1
    bulk_create_with_history(units, Unit, batch_size=BATCH_SIZE, default_user=user)
    for parent_code, count in appended.items():
        if parent_code:
            Unit.objects.not_retired().filter(code=parent_code).update(numchild=F("numchild") + count)


def _move(row: UnitRow, old_parent_code: str, user: User | None) -> None:
    """Move one unit (and its subtree) under its new parent, at its sorted place."""
    unit = Unit.objects.not_retired().get(code=row.code)
    if row.parent_code:
        Unit.objects.move(unit, Unit.objects.not_retired().get(code=row.parent_code), "sorted-child")
    else:
        Unit.objects.move(unit, Unit.objects.get_first_root_node(), "sorted-sibling")
    log_action(actor=user, action="unit.moved", obj=unit, unit=unit, source="import",
               from_parent=old_parent_code or None, to_parent=row.parent_code or None)


def _update(updates: Mapping[str, dict[str, Any]], existing: Mapping[str, _Existing], user: User | None) -> None:
    """Write changed fields in batches, with one history row per unit."""
    codes = list(updates)
    fields = sorted({name for changes in updates.values() for name in changes})
    for start in range(0, len(codes), BATCH_SIZE):
        batch = codes[start:start + BATCH_SIZE]
        units = Unit.objects.in_bulk([existing[code].pk for code in batch])
        changed = []
        for code in batch:
            unit = units[existing[code].pk]
            for name, value in updates[code].items():
                setattr(unit, name, value)
            changed.append(unit)
        bulk_update_with_history(changed, Unit, fields, batch_size=BATCH_SIZE, default_user=user)

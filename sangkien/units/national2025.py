"""The 2025 national tree: 34 provinces, 3,321 communes, and where each old province went.

From 1 July 2025 Vietnam has 34 provinces and 3,321 communes (xã, phường,
đặc khu) and no district level (DOMAIN.md, "Since 2025").  The data come from
the pinned package ``vietnamadminunits`` (1.0.4), which ships both the
63-province and the 34-province data sets and the mapping between them; the
pre-2025 tree keeps coming from ``vietnam-provinces`` 0.6.0
(:mod:`sangkien.units.national`).  Nothing here is typed by hand.

Reading is pure (no database): :func:`provinces`, :func:`communes`,
:func:`successor_codes`.  :func:`plan_rows` turns the tree as it stands on
the effective date into the reorganisation plan that makes it the 2025 tree,
applied by :func:`load_national_units_2025` through
:mod:`sangkien.units.reorganisation` (``manage.py load_national_units
--as-of 2025-07-01``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from sangkien.units.national import PROVINCE_UNIONS, place_name

if TYPE_CHECKING:
    from sangkien.accounts.models import User
    from sangkien.units.reorganisation import PlanRow

#: The day the 34 provinces began (Resolution 202/2025/QH15).
EFFECTIVE_ON = dt.date(2025, 7, 1)
PACKAGE = "vietnamadminunits"
#: Kinds of commune in the data ("wardType") → :class:`~sangkien.units.models.CommuneKind` values.
COMMUNE_KINDS = {"Xã": "commune", "Phường": "ward", "Đặc khu": "special_zone"}
#: The per-province upper-level unions the 2025 tree keeps: industrial zones and public employees.
KEPT_UNION_SUFFIXES = ("KCN", "VC")
BATCH_SIZE = 500


@dataclass(frozen=True)
class Province2025:
    """A province from 1/7/2025: official ``code`` (2 digits), ``name`` as published
    ("Tỉnh Bắc Ninh"), and the ``predecessors``' codes (old provinces merged into it, sorted)."""

    code: str
    name: str
    predecessors: tuple[str, ...]

    @property
    def place(self) -> str:
        """The name after "LĐLĐ": "tỉnh Bắc Ninh", "thành phố Huế"."""
        return place_name(self.name)

    @property
    def federation_name(self) -> str:
        """"LĐLĐ tỉnh Bắc Ninh"."""
        return f"LĐLĐ {self.place}"


@dataclass(frozen=True)
class CommunePlace:
    """A commune from 1/7/2025: ``code`` (5 digits), ``name`` ("Phường Hoa Lư"), ``kind``
    (a :data:`COMMUNE_KINDS` value) and its province's code."""

    code: str
    name: str
    kind: str
    province_code: str


def _data_file(name: str) -> Path:
    """A data file of the installed package (found without importing it: its
    ``__init__`` pulls in geocoding libraries we do not use)."""
    files = metadata.files(PACKAGE) or []
    for file in files:
        if file.as_posix() == f"{PACKAGE}/data/{name}":
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{PACKAGE}: data/{name} is missing")


def package_version() -> str:
    """The installed ``vietnamadminunits`` version (pinned in pyproject.toml)."""
    return metadata.version(PACKAGE)


def _query(sql: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(f"file:{_data_file('dataset.db')}?mode=ro", uri=True) as connection:
        return connection.execute(sql).fetchall()


def _pairs(sql: str) -> dict[str, str]:
    """The first column → the second, of a two-column query."""
    return {row[0]: row[1] for row in _query(sql)}


@functools.cache
def provinces() -> tuple[Province2025, ...]:
    """The 34 provinces of 1/7/2025, by code, each with the old provinces it took in.

    The mapping is the package's ``converter_2025.json`` (new province key →
    old province keys), keys resolved to official codes in its 34- and
    63-province tables.  Raises ``ValueError`` if an old province maps to two
    new ones or a key is unknown.
    """
    new_codes: dict[str, str] = _pairs("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    new_names: dict[str, str] = _pairs("SELECT DISTINCT provinceCode, province FROM admin_units")
    old_codes: dict[str, str] = _pairs("SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy")
    with open(_data_file("converter_2025.json"), encoding="utf-8") as handle:
        mapping: dict[str, list[str]] = json.load(handle)["DICT_PROVINCE"]
    result: list[Province2025] = []
    seen: set[str] = set()
    for new_key, old_keys in mapping.items():
        olds = tuple(sorted(old_codes[key] for key in old_keys))
        if seen & set(olds):
            raise ValueError(f"{PACKAGE}: an old province maps to two new ones: {sorted(seen & set(olds))}")
        seen.update(olds)
        code = new_codes[new_key]
        result.append(Province2025(code=code, name=new_names[code], predecessors=olds))
    return tuple(sorted(result, key=lambda p: p.code))


@functools.cache
def communes() -> tuple[CommunePlace, ...]:
    """The 3,321 communes (xã, phường, đặc khu) of 1/7/2025, by code."""
    rows = _query("SELECT DISTINCT wardCode, ward, wardType, provinceCode FROM admin_units ORDER BY wardCode")
    return tuple(CommunePlace(code=code, name=name, kind=COMMUNE_KINDS[kind], province_code=province)
                 for code, name, kind, province in rows)


def successor_codes() -> dict[str, str]:
    """Old province code → the code of the province it belongs to from 1/7/2025
    (``"27"`` Bắc Ninh → ``"24"``, ``"35"`` Hà Nam → ``"37"``, ``"37"`` → ``"37"``)."""
    return {old: province.code for province in provinces() for old in province.predecessors}


def union_name(suffix: str, province: Province2025) -> str:
    """"Công đoàn các Khu công nghiệp tỉnh Bắc Ninh" for ``KCN``, "Công đoàn Viên chức …" for ``VC``."""
    for code_suffix, _kind, name in PROVINCE_UNIONS:
        if code_suffix == suffix:
            return f"{name} {province.place}"
    raise KeyError(suffix)


def union_kind(suffix: str) -> str:
    """The unit kind of a per-province union by its code suffix (``KCN``, ``VC``)."""
    return next(kind for code_suffix, kind, _name in PROVINCE_UNIONS if code_suffix == suffix)


def federation_rows() -> list[tuple[str, str, str, str]]:
    """The 2025 units below TLĐ as ``(code, name, kind, parent_code)``, parents first:
    the 34 provincial federations and, under each, ``<code>-KCN`` and ``<code>-VC``."""
    from sangkien.units.models import UnitKind

    rows = []
    for province in provinces():
        rows.append((province.code, province.federation_name, UnitKind.PROVINCIAL_FEDERATION.value, "TLD"))
        for suffix in KEPT_UNION_SUFFIXES:
            rows.append((f"{province.code}-{suffix}", union_name(suffix, province),
                         str(union_kind(suffix)), province.code))
    return rows


# --- the plan ----------------------------------------------------------------

@dataclass(frozen=True)
class TreeUnit:
    """A unit of the tree as it stands on the effective date (what :func:`plan_rows` reads)."""

    code: str
    name: str
    kind: str
    parent_code: str  # "" for a root
    is_active: bool = True


def plan_rows(units: Iterable[TreeUnit], *, effective_on: dt.date = EFFECTIVE_ON) -> list[PlanRow]:
    """The reorganisation that turns ``units`` (the tree on ``effective_on``) into the 2025 tree.

    For each of the 34 provinces (code ``P``):

    - the provincial federation ``P`` is created under ``TLD`` if the tree has
      none, renamed if its name differs (code 24 "LĐLĐ tỉnh Bắc Giang" →
      "LĐLĐ tỉnh Bắc Ninh", code 15 Yên Bái → "LĐLĐ tỉnh Lào Cai"); its
      industrial-zone union ``P-KCN`` and public-employees union ``P-VC`` are
      created if missing, and under a renamed province moved under its new
      row with their new names (a ``move`` with ``new_name``); one of these
      marked inactive without an end date gets a new, active row (``rename``);
    - every other old province it took in is merged into ``P`` (``merge_into_code``);
      their ``-KCN`` / ``-VC`` unions are merged into ``P-KCN`` / ``P-VC`` and the
      grassroots unions under those move to ``P-KCN`` / ``P-VC``;
    - every other unit directly under ``P`` or under a merged province (district
      federations, provincial sector unions) is dissolved, and what was under it
      moves directly under ``P`` — grassroots unions under the provincial
      federation, as the provinces did (issue 11, Hà Tĩnh); grassroots unions
      directly under a merged province move under ``P`` too.  Commune unions and
      grassroots unions already under ``P`` stay.

    Rows come in the order creates, renames (and the moves of renamed
    provinces' unions), moves, dissolutions, merges, all effective
    ``effective_on``; the service runs them in dependency order.  A tree that already is the 2025 tree gives no
    rows (so loading twice changes nothing).  ``units`` must hold ``TLD``.
    """
    from sangkien.units.models import UnitKind
    from sangkien.units.reorganisation import PlanRow

    by_code = {u.code: u for u in units}
    children: dict[str, list[TreeUnit]] = {}
    for unit in by_code.values():
        children.setdefault(unit.parent_code, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: u.code)
    kept_under_province = {UnitKind.GRASSROOTS, UnitKind.COMMUNE_UNION}

    creates: list[PlanRow] = []
    renames: list[PlanRow] = []
    moves: list[PlanRow] = []
    dissolves: list[PlanRow] = []
    merges: list[PlanRow] = []

    def row(code: str, action: str, **fields: Any) -> PlanRow:
        return PlanRow(code=code, action=action, effective_on=effective_on, **fields)

    renewed: set[str] = set()  # codes that get a new row (renamed): what stays below follows it

    def ensure(code: str, name: str, kind: str, parent_code: str) -> None:
        unit = by_code.get(code)
        if unit is None:
            creates.append(row(code, "create", new_parent_code=parent_code, new_name=name, kind=kind))
        elif parent_code in renewed:  # a renamed province's KCN / VC: under its new row, with its new name
            renames.append(row(code, "move", new_parent_code=parent_code, new_name=name))
            renewed.add(code)
        elif unit.name != name or not unit.is_active:
            # an inactive unit without an end date (a scenario's "not there in 2021") starts a new row
            renames.append(row(code, "rename", new_name=name))
            renewed.add(code)

    def empty_into(unit: TreeUnit, parent_code: str) -> None:
        """Dissolve ``unit``; what was under it moves under ``parent_code``."""
        for child in children.get(unit.code, []):
            moves.append(row(child.code, "move", new_parent_code=parent_code))
        dissolves.append(row(unit.code, "dissolve"))

    for province in provinces():
        code = province.code
        ensure(code, province.federation_name, UnitKind.PROVINCIAL_FEDERATION, "TLD")
        kept_unions = {f"{code}-{suffix}" for suffix in KEPT_UNION_SUFFIXES}
        for suffix in KEPT_UNION_SUFFIXES:
            ensure(f"{code}-{suffix}", union_name(suffix, province), union_kind(suffix), code)
        for child in children.get(code, []) if code in by_code else []:
            if child.code not in kept_unions and child.kind not in kept_under_province:
                empty_into(child, code)
        for old in province.predecessors:
            predecessor = by_code.get(old)
            if old == code or predecessor is None or predecessor.kind != UnitKind.PROVINCIAL_FEDERATION:
                continue
            for child in children.get(old, []):
                suffix = child.code.removeprefix(f"{old}-")
                if suffix in KEPT_UNION_SUFFIXES and child.code == f"{old}-{suffix}":
                    for grandchild in children.get(child.code, []):
                        moves.append(row(grandchild.code, "move", new_parent_code=f"{code}-{suffix}"))
                    merges.append(row(child.code, "merge", merge_into_code=f"{code}-{suffix}"))
                elif child.kind in kept_under_province:
                    moves.append(row(child.code, "move", new_parent_code=code))
                else:
                    empty_into(child, code)
            merges.append(row(old, "merge", merge_into_code=code))
    return [*creates, *renames, *moves, *dissolves, *merges]


# --- loading -----------------------------------------------------------------

def load_communes(*, actor: User | None = None) -> dict[str, int]:
    """Create or update the 3,321 communes as places (:class:`~sangkien.units.models.Commune`).

    Matched by code; new ones are bulk-inserted, changed names, kinds or
    provinces updated in bulk, ``valid_from`` = :data:`EFFECTIVE_ON`.  Running
    it again changes nothing.  Returns ``{"created": n, "updated": n,
    "unchanged": n}``; one audit row ``communes.loaded`` when something changed.
    """
    from sangkien.core.models import log_action
    from sangkien.units.models import Commune

    wanted = communes()
    existing = {c.code: c for c in Commune.objects.filter(code__in=[w.code for w in wanted])}
    new, changed = [], []
    for place in wanted:
        values = {"name": place.name, "kind": place.kind, "province_code": place.province_code,
                  "valid_from": EFFECTIVE_ON}
        commune = existing.get(place.code)
        if commune is None:
            new.append(Commune(code=place.code, **values))
        elif any(getattr(commune, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(commune, key, value)
            changed.append(commune)
    with transaction.atomic():
        Commune.objects.bulk_create(new, batch_size=BATCH_SIZE)
        Commune.objects.bulk_update(changed, ["name", "kind", "province_code", "valid_from"],
                                    batch_size=BATCH_SIZE)
        counts = {"created": len(new), "updated": len(changed),
                  "unchanged": len(wanted) - len(new) - len(changed)}
        if new or changed:
            first = Commune.objects.order_by("pk").first()
            assert first is not None  # just written
            log_action(actor=actor, action="communes.loaded", obj=first,
                       source=f"{PACKAGE} {package_version()}", **counts)
    return counts


def current_tree(on: dt.date) -> list[TreeUnit]:
    """The tree as of ``on`` (:meth:`~sangkien.units.models.UnitQuerySet.as_of`) as :class:`TreeUnit` rows."""
    from sangkien.units.models import Unit

    rows = list(Unit.objects.as_of(on).values_list("path", "code", "name", "kind", "is_active"))
    code_at = {path: code for path, code, *_rest in rows}
    step = Unit.steplen
    return [TreeUnit(code=code, name=name, kind=kind, parent_code=code_at.get(path[:-step], ""),
                     is_active=active)
            for path, code, name, kind, active in rows]


def load_national_units_2025(*, dry_run: bool = False, actor: User | None = None) -> dict[str, int]:
    """Make the tree of 1/7/2025: 34 provincial federations with their ``-KCN`` and
    ``-VC`` unions, the old provinces merged into them, district federations and
    sector unions dissolved with their grassroots moved under the province, and the
    3,321 communes as places.

    On a database holding the pre-2025 tree (``load_national_units``) the changes
    are one reorganisation plan (:func:`plan_rows`) effective :data:`EFFECTIVE_ON`,
    previewed and applied by :func:`sangkien.units.reorganisation.apply_plan`
    (one transaction, audited; the old rows keep their place, so historical
    programmes count as they did).  On an empty database it creates ``TLD`` and the
    2025 units directly.  Running it again changes nothing.

    Returns counts: ``create``, ``rename``, ``move``, ``dissolve``, ``merge`` (plan
    rows by action) and ``communes_created``, ``communes_updated``.  With
    ``dry_run`` nothing is written (the communes are counted as they would be).
    Raises :class:`~sangkien.units.importers.UnitImportError` listing the plan's
    errors when the preview refuses it (nothing written).
    """
    from sangkien.units.importers import UnitRow, import_rows
    from sangkien.units.models import Commune, Unit, UnitKind
    from sangkien.units.national import ROOT_CODE, ROOT_NAME
    from sangkien.units.reorganisation import PlanRefused, apply_plan, preview_plan

    with transaction.atomic():
        if Unit.objects.by_code(ROOT_CODE, on=EFFECTIVE_ON) is None:
            import_rows([UnitRow(code=ROOT_CODE, name=ROOT_NAME, kind=UnitKind.NATIONAL, parent_code="",
                                 set_member_count=False, line=1, where=ROOT_CODE)], actor=actor)
        rows = plan_rows(current_tree(EFFECTIVE_ON))
        counts = {action: sum(1 for r in rows if r.action == action)
                  for action in ("create", "rename", "move", "dissolve", "merge")}
        if rows and dry_run:
            _refuse_errors(preview_plan(rows=rows, actor=actor).errors)
        elif rows:
            try:
                apply_plan(rows=rows, actor=actor)
            except PlanRefused as refused:
                _refuse_errors(refused.preview.errors)
        if dry_run:
            have = Commune.objects.filter(code__in=[c.code for c in communes()]).count()
            commune_counts = {"created": len(communes()) - have, "updated": 0}
            transaction.set_rollback(True)  # the root made above, if any
        else:
            commune_counts = load_communes(actor=actor)
    return {**counts, "communes_created": commune_counts["created"],
            "communes_updated": commune_counts["updated"]}


def is_loaded() -> bool:
    """True when the tree as of :data:`EFFECTIVE_ON` already is the 2025 tree and the
    communes are all there (``load_national_units --as-of 2025-07-01 --check``)."""
    from sangkien.units.models import Commune

    if plan_rows(current_tree(EFFECTIVE_ON)):
        return False
    return Commune.objects.filter(code__in=[c.code for c in communes()]).count() == len(communes())


def _refuse_errors(errors: list[Any]) -> None:
    """Raise :class:`~sangkien.units.importers.UnitImportError` listing a plan's errors, if any."""
    from sangkien.units.importers import RowError, UnitImportError

    if errors:
        raise UnitImportError([RowError(error.code or _("phương án"), error.message, error.line)
                               for error in errors])

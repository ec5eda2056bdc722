"""Unit names as officers type them (issue 11, "Names as people type them").

Officers and members write a unit the way the letters do, not the way the
tree stores it: "Huyện Yên Khánh" for "LĐLĐ huyện Yên Khánh", "TP Tam Điệp"
for "LĐLĐ thành phố Tam Điệp", "Công đoàn Viên chức tỉnh" for "Công đoàn
Viên chức tỉnh Ninh Bình" inside Ninh Bình, with or without accents, in any
case, with extra spaces and sometimes the code in parentheses ("LĐLĐ huyện
Yên Khánh (375)").  The rule (issue 11; the letters of the 2021 Ninh Bình
programme name units this way) is applied in tiers, from strictest to
loosest, and the first tier that finds anything decides:

1. the code in parentheses, or the whole text as a code;
2. the exact name (accents, case and spaces ignored);
3. the name without the organisation words — LĐLĐ, Liên đoàn Lao động,
   Công đoàn, CĐ, CĐCS, CĐ ngành — keeping the place words, in order, then in
   any word order;
4. the same without the place words too — huyện, thị xã, thành phố, TP,
   tỉnh, quận, phường, xã, thị trấn — in order, then in any word order.

When tiers 3 and 4 find nothing, they are tried again with the names left
without the place of a unit above them ("Công đoàn Viên chức tỉnh" inside
LĐLĐ tỉnh Ninh Bình, "Công ty May" inside LĐLĐ huyện Yên Khánh).  A tier that finds
one unit resolves the name; one that finds several returns them as choices;
none at all is "not found".  Active units come first: a retired unit is only
found when no active one is, and then resolves to its successor with a note
("đã sáp nhập vào …").  Only units of the scope (a unit's subtree) are ever
returned: a successor outside the scope is an error, never a match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from django.utils.translation import gettext as _

from sangkien.core.text import fold
from sangkien.units.models import SuccessionKind, Unit, UnitSuccession

_CODE_IN_PARENS = re.compile(r"\(([^()]+)\)\s*$")
_NOT_WORD = re.compile(r"[\W_]+")

#: Abbreviations as officers write them (folded) → the words they stand for (folded).
ABBREVIATIONS = {
    "ldld": ("lien", "doan", "lao", "dong"),
    "cdcs": ("cong", "doan", "co", "so"),
    "cd": ("cong", "doan"),
    "tp": ("thanh", "pho"),
    "tx": ("thi", "xa"),
    "kcn": ("khu", "cong", "nghiep"),
}
#: Words that name the organisation, not the unit (longest first).
ORGANISATION_WORDS = (
    ("lien", "doan", "lao", "dong"),
    ("cong", "doan", "co", "so"),
    ("cong", "doan", "nganh"),
    ("cong", "doan", "cac"),
    ("cong", "doan"),
)
#: Words that say what kind of place follows (longest first).
PLACE_WORDS = (
    ("thanh", "pho"), ("thi", "xa"), ("thi", "tran"), ("dac", "khu"),
    ("huyen",), ("tinh",), ("quan",), ("phuong",), ("xa",),
)
MAX_SUCCESSION_STEPS = 20  # a chain of renames and merges is short; a cycle is a data error


class NamedUnit(Protocol):
    """What the resolver needs of a unit: a ``Unit`` or a light reference to one."""

    @property
    def pk(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def is_active(self) -> bool: ...


R = TypeVar("R", bound=NamedUnit)


@dataclass(frozen=True)
class UnitEntry:
    """A light reference to a unit, loaded with ``values_list`` (imports resolve thousands of rows)."""

    pk: int
    code: str
    name: str
    path: str
    is_active: bool
    leaf: bool = True

    @property
    def label(self) -> str:
        """``Tên (mã)``, as the preview and the error messages show a unit."""
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class Resolution(Generic[R]):
    """The outcome of resolving one typed name.

    Exactly one of: ``unit`` set (a unique match in scope; when the typed name
    was a retired unit's, ``unit`` is its successor, ``retired`` the unit typed
    and ``note`` says what happened, translated); ``choices`` (two or more
    units of the same tier, the name is ambiguous; ``error`` lists them); or
    only ``error`` (translated): not found (:attr:`missing`), or, with
    ``retired`` set, a retired unit dissolved or merged outside the scope.  ``exact`` is False when the name
    was found by a looser tier than the code or the exact name, so that a
    preview shows "typed → unit".
    """

    unit: R | None = None
    choices: tuple[R, ...] = ()
    error: str = ""
    note: str = ""
    retired: R | None = None
    exact: bool = True

    @property
    def found(self) -> bool:
        return self.unit is not None

    @property
    def ambiguous(self) -> bool:
        return len(self.choices) > 1

    @property
    def missing(self) -> bool:
        """No unit of the scope has this name (a caller may then look outside or suggest)."""
        return self.unit is None and not self.choices and self.retired is None


def words(text: str) -> tuple[str, ...]:
    """``text`` folded (accents, đ, case), punctuation dropped, abbreviations spelled out."""
    out: list[str] = []
    for word in _NOT_WORD.sub(" ", fold(text)).split():
        out.extend(ABBREVIATIONS.get(word, (word,)))
    return tuple(out)


def _drop(tokens: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """``tokens`` without any of ``phrases`` (whole-word runs, longest first)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            if tokens[i:i + len(phrase)] == phrase:
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def core_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(without organisation words, without organisation and place words)`` of a name:
    ``"LĐLĐ huyện Yên Khánh"`` → ``(("huyen", "yen", "khanh"), ("yen", "khanh"))``."""
    named = _drop(words(text), ORGANISATION_WORDS)
    return named, _drop(named, PLACE_WORDS)


def split_code(raw: str) -> tuple[str, str]:
    """``("LĐLĐ huyện Yên Khánh", "375")`` for ``"LĐLĐ huyện Yên Khánh (375)"``; ``(raw, "")`` without one."""
    match = _CODE_IN_PARENS.search(raw)
    if match:
        return raw[: match.start()].strip(), match.group(1).strip()
    return raw.strip(), ""


def matches_search(query: str, name: str, code: str = "") -> bool:
    """Whether a unit named ``name`` answers a search box's ``query`` (the unit chooser).

    Every word of the query, with organisation and place words left out and
    abbreviations spelled out, must begin a word of the name, in any order;
    accents and case are ignored.  A query of only such words ("công đoàn")
    falls back to the words themselves.  The code matches too.
    """
    if code and query.strip().lower() == code.lower():
        return True
    named, bare = core_words(query)
    wanted = bare or named or words(query)
    if not wanted:
        return True
    have = words(name)
    return all(any(w.startswith(q) for w in have) for q in wanted)


def _tail_removed(tokens: tuple[str, ...], place: tuple[str, ...]) -> tuple[str, ...] | None:
    """``tokens`` without ``place`` at its end (``None`` if it does not end with it)."""
    if place and len(tokens) > len(place) and tokens[-len(place):] == place:
        return tokens[: -len(place)]
    return None


class NameIndex(Generic[R]):
    """The units of a scope, by code and by every key of the tiers above.

    ``units`` are the scope's units (retired ones included); ``above`` maps
    the path of each unit above the scope to its name (their places may be
    left out of a name).  Lookups are cached: an import repeats its units.
    """

    def __init__(self, units: Iterable[R], *, above: dict[str, str] | None = None) -> None:
        self.units: list[R] = list(units)
        self.by_code: dict[str, R] = {}  # a code is reused across time: the row that exists now wins
        self.by_pk: dict[int, R] = {}
        self.by_exact: dict[str, list[R]] = {}
        for unit in self.units:
            self.by_pk[unit.pk] = unit
            known = self.by_code.get(unit.code.lower())
            if known is None or not known.is_active:
                self.by_code[unit.code.lower()] = unit
            self.by_exact.setdefault(" ".join(words(unit.name)), []).append(unit)
        self.above = dict(above or {})
        self._tiers: list[dict[tuple[str, ...], list[R]]] | None = None
        self._cache: dict[str, Resolution[R]] = {}

    # -- the index of the loose tiers, built on the first loose lookup ----------
    def _build(self) -> list[dict[tuple[str, ...], list[R]]]:
        places: dict[str, tuple[str, ...]] = {path: core_words(name)[1] for path, name in self.above.items()}
        places.update((u.path, core_words(u.name)[1]) for u in self.units)
        tiers: list[dict[tuple[str, ...], list[R]]] = [{} for _tier in range(8)]
        step = Unit.steplen
        for unit in self.units:
            named, bare = core_words(unit.name)
            short_named: set[tuple[str, ...]] = set()  # the name without the place of a unit above
            for end in range(step, len(unit.path), step):
                place = places.get(unit.path[:end])
                shorter = _tail_removed(named, place) if place else None
                if shorter is not None and _drop(shorter, PLACE_WORDS):
                    short_named.add(shorter)
            short_bare = {_drop(k, PLACE_WORDS) for k in short_named}
            # Tiers 0-3: the whole name; 4-7: the name without a place above (only when 0-3 find nothing).
            for index, keys in enumerate(({named}, {tuple(sorted(named))}, {bare}, {tuple(sorted(bare))},
                                          short_named, {tuple(sorted(k)) for k in short_named},
                                          short_bare, {tuple(sorted(k)) for k in short_bare})):
                for key in keys:
                    if key:
                        tiers[index].setdefault(key, []).append(unit)
        return tiers

    # -- resolving ---------------------------------------------------------------
    def resolve(self, raw: str) -> Resolution[R]:
        """Resolve ``raw`` (see the module's rule); never raises, never leaves the scope."""
        raw = " ".join((raw or "").split())
        if raw not in self._cache:
            self._cache[raw] = self._resolve(raw)
        return self._cache[raw]

    def candidates(self, raw: str) -> tuple[list[R], bool]:
        """The units of the first tier that finds any, and whether that tier is exact."""
        name, code = split_code(raw)
        unit = self.by_code.get(code.lower()) if code else None
        unit = unit or self.by_code.get(raw.lower())
        if unit is not None:
            return [unit], True
        exact = self.by_exact.get(" ".join(words(name)), [])
        if exact:
            return exact, True
        if self._tiers is None:
            self._tiers = self._build()
        named, bare = core_words(name)
        keys = (named, tuple(sorted(named)), bare, tuple(sorted(bare)))
        for index, key in enumerate(keys * 2):
            if key and (found := self._tiers[index].get(key)):
                return _unique(found), False
        return [], False

    def _resolve(self, raw: str) -> Resolution[R]:
        found, exact = self.candidates(raw)
        if not found:
            return Resolution(error=_("Không tìm thấy đơn vị “%(name)s” trong phạm vi của bạn.") % {"name": raw},
                              exact=False)
        active = [u for u in found if u.is_active]
        if len(active) == 1:
            return Resolution(unit=active[0], exact=exact)
        if active:
            return Resolution(choices=tuple(active), exact=exact,
                              error=_("Có %(n)d đơn vị ứng với “%(name)s”: %(list)s. Hãy ghi đúng tên hoặc kèm mã "
                                      "đơn vị.") % {"n": len(active), "name": raw, "list": "; ".join(
                                          label(u) for u in active)})
        return self._successor_of(found[0], exact=exact)

    def _successor_of(self, retired: R, *, exact: bool) -> Resolution[R]:
        """A retired unit's name: its successor in scope (with a note), or an error."""
        successor, kind = successor_of(retired.pk)
        if successor is None:
            return Resolution(error=_("Đơn vị “%(name)s” đã giải thể; hãy chọn đơn vị mới.") % {"name": retired.name},
                              retired=retired, exact=exact)
        mine = self.by_pk.get(successor.pk)
        if mine is None:
            return Resolution(error=_("Đơn vị “%(name)s” nay là “%(into)s”, không thuộc phạm vi của bạn.")
                              % {"name": retired.name, "into": successor.name}, retired=retired, exact=exact)
        return Resolution(unit=mine, retired=retired, note=succession_note(retired.name, successor, kind), exact=False)


def _unique(units: list[R]) -> list[R]:
    """``units`` without repeats (a unit has several keys in one tier), in order."""
    return list({u.pk: u for u in units}.values())


def label(unit: NamedUnit) -> str:
    """``Tên (mã)``."""
    return f"{unit.name} ({unit.code})"


def successor_of(pk: int) -> tuple[Unit | None, str]:
    """``(unit that carries the retired unit pk today, kind of the first link)``; ``(None, kind)`` when dissolved.

    Follows :class:`~sangkien.units.models.UnitSuccession` links (the source,
    issue 11), else the ``merged_into`` shortcut, through a chain of at most
    :data:`MAX_SUCCESSION_STEPS`; a unit still active is its own answer.
    """
    unit = Unit.objects.filter(pk=pk).first()
    kind = ""
    for _step in range(MAX_SUCCESSION_STEPS):
        if unit is None or unit.is_active:
            return unit, kind
        link = (UnitSuccession.objects.filter(predecessor=unit).select_related("successor")
                .order_by("-effective_on", "-pk").first())
        if link is not None:
            kind = kind or link.kind
            unit = link.successor
        else:
            kind = kind or (SuccessionKind.MERGE if unit.merged_into_id else SuccessionKind.DISSOLVE)
            unit = unit.merged_into
    return None, kind


def succession_note(name: str, successor: Unit, kind: str) -> str:
    """"“A” đã sáp nhập vào “B”." and the like, by the kind of the first link (translated)."""
    if kind == SuccessionKind.RENAME:
        return _("“%(name)s” đã đổi tên thành “%(into)s”.") % {"name": name, "into": successor.name}
    if kind == SuccessionKind.MOVE:
        return _("“%(name)s” đã chuyển đơn vị cấp trên; nay là “%(into)s”.") % {
            "name": name, "into": label(successor)}
    return _("“%(name)s” đã sáp nhập vào “%(into)s”.") % {"name": name, "into": successor.name}


def scope_index(scope: Unit) -> NameIndex[UnitEntry]:
    """A :class:`NameIndex` of ``scope``'s subtree (retired units included), in two queries."""
    rows = (Unit.objects.filter(path__startswith=scope.path)
            .values_list("pk", "code", "name", "path", "is_active", "numchild"))
    entries = [UnitEntry(pk, code, name, path, active, numchild == 0)
               for pk, code, name, path, active, numchild in rows.iterator(chunk_size=5000)]
    above = dict(Unit.objects.get_ancestors(scope).values_list("path", "name")) if scope.depth > 1 else {}
    return NameIndex(entries, above=above)


def resolve_unit_name(*, scope: Unit, raw: str) -> Resolution[UnitEntry]:
    """Resolve one typed unit name inside ``scope``'s subtree (see the module's rule).

    For many names, build :func:`scope_index` once and call its ``resolve``.
    """
    return scope_index(scope).resolve(raw)

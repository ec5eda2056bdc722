"""Checking each row of an import: one clear Vietnamese message per bad cell.

:class:`RowChecker` turns a :class:`~sangkien.imports.reading.SourceRow` into
a :class:`CleanRow` (the values :func:`sangkien.initiatives.services.submit_initiative`
would receive) or a list of :class:`CellError`.  :class:`UnitResolver`
finds the unit of a row inside the officer's subtree and suggests the
closest names when it cannot.  Duplicates are found by
:mod:`sangkien.imports.dedupe`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

import bisect
import datetime as dt
import difflib
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from sangkien.core.money import AmountError, parse_vnd
from sangkien.core.phone import PhoneError, normalise_phone
from sangkien.core.sanitise import clean_description, plain_text
from sangkien.core.text import fold
from sangkien.imports.columns import BY_KEY, MAX_CO_AUTHORS, in_every_language
from sangkien.imports.reading import SourceRow
from sangkien.initiatives.details import AuthorData
from sangkien.initiatives.forms import DATE_FORMATS
from sangkien.initiatives.models import RecognitionForm, SectorBlock
from sangkien.programmes.models import Field, Phase
from sangkien.units.access import in_subtree
from sangkien.units.models import Unit
from sangkien.units.names import UnitEntry, scope_index

MAX_UNDERSTOOD = 200  # distinct names listed in the preview as "typed → unit"
MAX_REMEMBERED = 50_000  # distinct unit cells whose answer an import remembers (and amounts, dates, e-mails)
_LABEL_CODE = re.compile(r"\(([^()]+)\)\s*$")
_NOT_WORD = re.compile(r"[\W_]+")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_CO_AUTHOR_SEPARATORS = re.compile(r"[;\n]")


@functools.lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    """:func:`fold` for the short values that repeat on every row (sector, field, yes/no)."""
    return fold(text)


@dataclass(frozen=True)
class CellError:
    """``column`` is a column key (``""`` for the row as a whole); ``message`` is translated."""

    column: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"column": self.column, "message": self.message}


#: A unit of the officer's scope, as rows refer to it (``units.names.UnitEntry``: pk, code, name, path,
#: is_active, leaf; ``label`` is "Tên (mã)").
UnitRef = UnitEntry


@dataclass
class CleanRow:
    """A valid row: ``details`` has the keys of ``services.DETAIL_FIELDS``
    (``field`` is a Field id or None, ``benefit_vnd`` whole VND/year)."""

    number: int
    unit: UnitRef
    authors: list[AuthorData]
    details: dict[str, Any]
    title_key: str
    identities: tuple[str, ...]  # main author's phone / e-mail / name keys, strongest first
    unit_as_typed: str = ""  # the unit cell when the name was found loosely ("Huyện Yên Khánh"), else ""

    @property
    def dedupe_key(self) -> tuple[str, str]:
        return (self.identities[0], self.title_key)


#: Plain text that :func:`clean_description` turns into paragraphs without changing a character:
#: nothing HTML reads as markup or escapes (``< > & " '``), no control character but the line break,
#: no no-break space (written back as a space), no Word bullet (it would become a list), nothing outside
#: the Basic Multilingual Plane's ordinary characters (noncharacters, surrogates).
_PLAIN = re.compile("[^\x00-\x09\x0b-\x1f\x7f-\x9f<>&\"'\u00a0\u00b7\u2022\ud800-\udfff\ufdd0-\ufdef\ufff0-\uffff]*")
_BLANK_LINE = re.compile(r"\n\s*\n")


def clean_plain_description(raw: str) -> str:
    """:func:`sangkien.core.sanitise.clean_description` of ``raw``, without its two nh3 passes
    when ``raw`` is plain text of the ordinary kind (:data:`_PLAIN`, the usual spreadsheet cell),
    whose sanitised HTML is known beforehand: its paragraphs (split on blank lines) in ``<p>``,
    line breaks as ``<br>``.  Anything else goes through :func:`clean_description` (issue 12:
    ``clean_description`` was about a tenth of the check pass's profile on 20,000 rows).  Same
    result either way (tests/imports/test_save_speed.py compares them on random text).
    """
    raw = raw.replace("\r\n", "\n").strip()
    if not raw or not _PLAIN.fullmatch(raw):
        return clean_description(raw)
    paragraphs = [p.strip() for p in _BLANK_LINE.split(raw) if p.strip()]
    return "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)


def title_key(title: str) -> str:
    """A title with accents, case, punctuation and extra spaces removed."""
    return " ".join(_NOT_WORD.sub(" ", fold(title)).split())


def author_identities(author: AuthorData) -> tuple[str, ...]:
    """Keys that identify a person, strongest first: phone, e-mail, name."""
    keys = []
    if author.phone:
        keys.append("p:" + author.phone)
    if author.email:
        keys.append("e:" + author.email.lower())
    if not keys:
        keys.append("n:" + " ".join(author.full_name.split()))
    return tuple(keys)


def _text(value: Any, *, single_line: bool = True) -> str:
    if type(value) is str:  # nearly every cell: the last branch, without the type tests before it
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip() if "\r" in value else value.strip()
        return " ".join(text.split()) if single_line else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if single_line:
        text = " ".join(text.split())
    return text


def _choices(pairs: list[tuple[str, StrOrPromise]]) -> dict[str, str]:
    """Folded label/value → value."""
    out: dict[str, str] = {}
    for value, label in pairs:
        for text in in_every_language(label):  # a file filled in English is read in Vietnamese too
            out[fold(text)] = value
        out[fold(value)] = value
    return out


class UnitResolver:
    """Units of ``scope``'s subtree as rows name them: by code, label ``Tên (mã)`` or the name as
    officers type it (:mod:`sangkien.units.names`: prefixes, accents, word order; issue 11).

    Names found other than by code or exact name are kept in :attr:`understood` (typed → unit, note)
    for the preview.
    """

    def __init__(self, scope: Unit) -> None:
        self.scope = scope
        self.names = scope_index(scope)
        self.by_code = self.names.by_code
        self.by_name: dict[str, list[UnitRef]] = {}
        for ref in self.names.units:
            self.by_name.setdefault(fold(ref.name), []).append(ref)
        self.scope_ref = self.by_code[scope.code.lower()]
        self.understood: dict[str, dict[str, str]] = {}
        # raw → what :meth:`resolve` said: a file names its units again and again
        self._remembered = functools.lru_cache(maxsize=MAX_REMEMBERED)(self._resolve)
        self._index: dict[str, list[str]] | None = None
        self._common: set[str] = set()
        self._counts: dict[str, Counter[str]] = {}  # folded name → its letters (``_closest``)

    def resolve(self, raw: str) -> tuple[UnitRef | None, str]:
        """``(unit, "")`` or ``(None, message)``; the message lists the choices of an ambiguous name.

        Each name is read once per import: a file names its units again and again (the answer for a
        name is remembered, up to :data:`MAX_REMEMBERED` names; issue 12, round 4).
        """
        return self._remembered(raw)

    def _resolve(self, raw: str) -> tuple[UnitRef | None, str]:
        if not raw:
            if self.scope_ref.leaf:
                return self.scope_ref, ""
            return None, _("Bắt buộc chọn công đoàn cơ sở.")
        found = self.names.resolve(raw)
        if found.unit is not None:
            if not found.exact and raw not in self.understood and len(self.understood) < MAX_UNDERSTOOD:
                self.understood[raw] = {"typed": raw, "unit": found.unit.label, "note": found.note}
            return found.unit, ""
        if not found.missing:
            return None, found.error  # ambiguous, dissolved, or merged into a unit outside the scope
        return None, self._unknown(raw)

    def _unknown(self, raw: str) -> str:
        code = raw
        match = _LABEL_CODE.search(raw)
        if match:
            code = match.group(1).strip()
        outside = Unit.objects.as_of().filter(code__iexact=code).exclude(in_subtree(self.scope, via="")).first()
        if outside is None:
            outside = Unit.objects.filter(name__iexact=raw).exclude(in_subtree(self.scope, via="")).first()
        if outside is not None:
            return _("Đơn vị “%(name)s” không thuộc phạm vi của bạn (%(scope)s).") % {
                "name": outside.name, "scope": self.scope.name}
        suggestions = self.suggest(raw)
        if suggestions:
            return _("Không tìm thấy đơn vị “%(name)s” trong phạm vi của bạn. Có phải: %(list)s?") % {
                "name": raw, "list": "; ".join(s.label for s in suggestions)}
        return _("Không tìm thấy đơn vị “%(name)s” trong phạm vi của bạn.") % {"name": raw}

    def suggest(self, raw: str, limit: int = 3) -> list[UnitRef]:
        """The active units whose names are closest to ``raw`` (shared words, then similarity)."""
        if self._index is None:
            self._index = {}
            for name in self.by_name:
                for token in set(name.split()):
                    self._index.setdefault(token, []).append(name)
            cutoff = max(20, len(self.by_name) // 5)
            self._common = {t for t, names in self._index.items() if len(names) > cutoff}
        needle = fold(_LABEL_CODE.sub("", raw))
        tokens = [t for t in set(needle.split()) if t not in self._common] or needle.split()
        votes: Counter[str] = Counter()
        for token in tokens:
            for name in self._index.get(token, ()):
                votes[name] += 1
        candidates = [n for n, _c in votes.most_common(200)] or list(self.by_name)[:2000]
        return self._closest(needle, candidates, limit)

    def _closest(self, needle: str, candidates: list[str], limit: int) -> list[UnitRef]:
        """The active units of the ``candidates`` names most similar to ``needle``: names by
        ``difflib.SequenceMatcher.ratio()`` (then name) from the highest, none under 0.5, until
        ``limit`` units.

        The ratio is computed only for the names that can still make the list: in the order of
        an upper bound of it (``quick_ratio``'s count of shared letters, from counts kept per
        name), stopping once the bound falls under the ratio at which the list is full (issue 12:
        a name matching nothing was compared with all 1,000 names of the benchmark's province).
        Same list as computing every ratio (tests/imports/test_save_speed.py compares them).
        """
        counts = Counter(needle)
        bounds = sorted(((2.0 * sum((counts & self._letters(n)).values()) / (len(needle) + len(n)), n)
                         for n in candidates), reverse=True)
        scored: list[tuple[float, str]] = []  # (exact ratio, name), lowest first
        for bound, name in bounds:
            if bound < self._full_at(scored, limit):
                break
            bisect.insort(scored, (difflib.SequenceMatcher(None, needle, name).ratio(), name))
        out: list[UnitRef] = []
        for ratio, name in reversed(scored):
            if ratio < 0.5:
                break
            out.extend(r for r in self.by_name[name] if r.is_active)
            if len(out) >= limit:
                break
        return out[:limit]

    def _full_at(self, scored: list[tuple[float, str]], limit: int) -> float:
        """The ratio at which ``scored`` (lowest first) gives ``limit`` active units, from the
        highest; 0.5 until it does."""
        found = 0
        for ratio, name in reversed(scored):
            if ratio < 0.5:
                break
            found += sum(1 for r in self.by_name[name] if r.is_active)
            if found >= limit:
                return ratio
        return 0.5

    def _letters(self, name: str) -> Counter[str]:
        letters = self._counts.get(name)
        if letters is None:
            letters = self._counts[name] = Counter(name)
        return letters


@dataclass
class RowChecker:
    """Checks rows for ``phase`` (its effect window) inside ``scope``'s subtree."""

    scope: Unit
    phase: Phase | None
    units: UnitResolver = field(init=False)

    def __post_init__(self) -> None:
        self.units = UnitResolver(self.scope)
        self.sectors = _choices(list(SectorBlock.choices)) | {
            "doanh nghiep": SectorBlock.ENTERPRISE, "dn": SectorBlock.ENTERPRISE,
            "hanh chinh su nghiep": SectorBlock.PUBLIC, "hcsn": SectorBlock.PUBLIC}
        self.recognitions = _choices([c for c in RecognitionForm.choices if c[0]])
        self.fields: dict[str, int] = {}
        self.field_names: list[str] = []
        for pk, code, name in Field.objects.values_list("pk", "code", "name"):
            self.fields[fold(name)] = pk
            self.fields[code.lower()] = pk
            self.field_names.append(name)
        self.yes = {fold(w) for w in ("có", "co", "x", "yes", "y", "1", "true", *in_every_language("Có"))}
        self.no = {fold(w) for w in ("", "không", "khong", "no", "n", "0", "false", *in_every_language("Không"))}
        # What a text cell said, remembered for the pass (up to MAX_REMEMBERED texts each): a file repeats
        # its amounts, dates and authors' e-mails row after row (issue 12, round 5).  A pass runs in one
        # language, so a remembered message is the one the row would get.
        self._amount = functools.lru_cache(maxsize=MAX_REMEMBERED)(_amount_or_error)
        self._parse_date = functools.lru_cache(maxsize=MAX_REMEMBERED)(_parse_date)
        self._valid_email = functools.lru_cache(maxsize=MAX_REMEMBERED)(_valid_email)

    # -- one row -----------------------------------------------------------
    def check(self, row: SourceRow) -> tuple[CleanRow | None, list[CellError]]:
        """Clean ``row``; return ``(clean, [])`` or ``(None, errors)``."""
        v = row.values
        errors: list[CellError] = []

        def err(column: str, message: str) -> None:
            errors.append(CellError(column, message))

        def text(key: str, *, single_line: bool = True) -> str:
            value = _text(v.get(key), single_line=single_line)
            limit = BY_KEY[key].max_length
            if limit and len(value) > limit:
                err(key, _("Dài quá %(max)s ký tự (hiện có %(n)s).") % {"max": _n(limit), "n": _n(len(value))})
                return value[:limit]
            return value

        def required(key: str, value: str) -> None:
            if not value:
                err(key, _("Bắt buộc nhập."))

        name = text("author_full_name")
        required("author_full_name", name)
        phone = self._phone(v.get("author_phone"), err)
        email = text("author_email")
        if email and not self._valid_email(email):
            err("author_email", _("“%(text)s” không phải địa chỉ e-mail.") % {"text": email[:60]})
            email = ""
        if not phone and not email and not any(e.column in ("author_phone", "author_email") for e in errors):
            err("author_phone", _("Nhập số điện thoại hoặc e-mail của tác giả để Ban tổ chức liên hệ."))
        main = AuthorData(full_name=name, phone=phone, email=email, job=text("author_job"),
                          workplace=text("author_workplace"))
        co_authors = self._co_authors(_text(v.get("co_authors"), single_line=False), err)

        unit_raw = text("unit")
        unit, unit_error = self.units.resolve(unit_raw)
        if unit_error:
            err("unit", unit_error)

        sector_raw = text("sector_block")
        sector = self.sectors.get(_fold_short(sector_raw), "")
        if not sector_raw:
            required("sector_block", sector_raw)
        elif not sector:
            err("sector_block", _("“%(text)s” không hợp lệ; chọn Khối doanh nghiệp hoặc Khối hành chính sự nghiệp.")
                % {"text": sector_raw[:60]})

        field_raw = text("field")
        field_id = None
        if field_raw:
            field_id = self.fields.get(_fold_short(field_raw)) or self.fields.get(field_raw.lower())
            if field_id is None:
                err("field", _("Không có lĩnh vực “%(text)s”. Chọn một trong: %(list)s.") % {
                    "text": field_raw[:60], "list": ", ".join(self.field_names[:12])})

        title = text("title")
        required("title", title)
        description = self._description(v.get("description"), err)
        effect_summary = text("effect_summary", single_line=False)
        benefit = self._benefit(v.get("benefit_vnd"), err)

        recognition_raw = text("recognition_form")
        recognition = ""
        if recognition_raw:
            recognition = self.recognitions.get(_fold_short(recognition_raw), "")
            if not recognition:
                err("recognition_form", _("“%(text)s” không hợp lệ. Chọn một trong: %(list)s.") % {
                    "text": recognition_raw[:60],
                    "list": "; ".join(str(label) for value, label in RecognitionForm.choices if value)})
        recognised_by = text("recognised_by")
        if recognition and not recognised_by:
            err("recognised_by", _("Ghi rõ cấp có thẩm quyền đã công nhận."))
        recognised_on = self._date("recognised_on", v.get("recognised_on"), err)
        applied_from = self._date("applied_from", v.get("applied_from"), err)
        applied_to = self._date("applied_to", v.get("applied_to"), err)
        self._effect_window(applied_from, applied_to, err)
        secret_raw = _fold_short(_text(v.get("is_trade_secret")))
        if secret_raw not in self.yes and secret_raw not in self.no:
            err("is_trade_secret", _("Ghi “Có” hoặc để trống."))

        if errors or unit is None:
            return None, errors
        details = {
            "sector_block": sector, "field": field_id, "title": title, "description": description,
            "effect_summary": effect_summary, "benefit_vnd": benefit, "recognition_form": recognition,
            "recognised_by": recognised_by, "recognised_on": recognised_on,
            "applied_from": applied_from, "applied_to": applied_to,
            "is_trade_secret": secret_raw in self.yes,
        }
        return CleanRow(number=row.number, unit=unit, authors=[main, *co_authors], details=details,
                        title_key=title_key(title), identities=author_identities(main),
                        unit_as_typed=unit_raw if unit_raw in self.units.understood else ""), []

    # -- cells -------------------------------------------------------------
    def _phone(self, value: Any, err: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = str(int(value))
            text = digits if digits.startswith(("0", "84")) else "0" + digits  # Excel dropped the 0
        else:
            text = _text(value)
        if not text:
            return ""
        try:
            return normalise_phone(text)
        except PhoneError as exc:
            err("author_phone", _("“%(text)s”: %(error)s") % {"text": text[:30], "error": exc})
            return ""

    def _co_authors(self, raw: str, err: Any) -> list[AuthorData]:
        if not raw:
            return []
        items = [p.strip() for p in _CO_AUTHOR_SEPARATORS.split(raw) if p.strip()]
        if len(items) > MAX_CO_AUTHORS:
            err("co_authors", _("Tối đa %(n)d đồng tác giả.") % {"n": MAX_CO_AUTHORS})
            return []
        people = []
        for item in items:
            name, _sep, rest = item.partition(",")
            name = " ".join(name.split())
            phone = ""
            if len(name) > 150:
                err("co_authors", _("Tên đồng tác giả dài quá 150 ký tự."))
                continue
            if rest.strip():
                try:
                    phone = normalise_phone(rest.strip())
                except PhoneError as exc:
                    err("co_authors", _("Đồng tác giả “%(name)s”: %(error)s") % {"name": name, "error": exc})
                    continue
            people.append(AuthorData(full_name=name, phone=phone))
        return people

    def _description(self, value: Any, err: Any) -> str:
        raw = _text(value, single_line=False)
        if not raw:
            err("description", _("Bắt buộc nhập."))
            return ""
        if len(raw) > 100_000:
            err("description", _("Mô tả quá dài (tối đa khoảng 100.000 ký tự)."))
            return ""
        cleaned = clean_plain_description(raw)
        # Plain text (the usual cell) always keeps its words; only HTML can clean down to nothing.
        if not cleaned or ("<" in raw and not plain_text(cleaned)):
            err("description", _("Bắt buộc nhập."))
        return cleaned

    def _benefit(self, value: Any, err: Any) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                err("benefit_vnd", _("Giá trị làm lợi không thể âm."))
                return None
            return parse_vnd(round(value))
        amount, error = self._amount(_text(value))
        if error:
            err("benefit_vnd", error)
        return amount

    def _date(self, key: str, value: Any, err: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        if not text:
            return None
        day = self._parse_date(text)
        if day is None:
            err(key, _("“%(text)s” không phải ngày theo dạng dd/mm/yyyy.") % {"text": text[:30]})
        return day

    def _effect_window(self, start: dt.date | None, end: dt.date | None, err: Any) -> None:
        if start and end and end < start:
            err("applied_to", _("Ngày kết thúc áp dụng phải sau ngày bắt đầu."))
        phase = self.phase
        if phase is None:
            return
        late = bool(start and phase.effect_end and start > phase.effect_end)
        early = bool(end and phase.effect_start and end < phase.effect_start)
        if not late and not early:
            return  # nearly every row: no message to translate and format
        window = _("Hiệu quả của sáng kiến phải nằm trong khoảng %(a)s – %(b)s.") % {
            "a": _d(phase.effect_start), "b": _d(phase.effect_end)}
        if late:
            err("applied_from", window)
        if early:
            err("applied_to", window)


def _amount_or_error(text: str) -> tuple[int | None, str]:
    """``(amount in VND, "")`` for an amount cell's text, or ``(None, the translated error)``."""
    try:
        return parse_vnd(text), ""
    except AmountError as exc:
        return None, str(exc)


def _valid_email(email: str) -> bool:
    """Whether Django's e-mail validator accepts ``email``."""
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _parse_date(text: str) -> dt.date | None:
    """The date ``text`` (not empty) is written as — dd/mm/yyyy, else one of the form's
    ``DATE_FORMATS`` — or ``None``."""
    match = _DMY.fullmatch(text)
    if match:  # the common case, without strptime
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    return None


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"

"""Similar initiatives, as the pages show them: the engine's matches with their initiatives.

Reads only.  The engine (:mod:`sangkien.duplicates.index`,
:mod:`sangkien.duplicates.detector`) answers with integer ids; this module
loads the initiatives and decides what a viewer may see of each.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sangkien.core.sanitise import plain_text
from sangkien.duplicates.detector import SHOW_FROM, Document, Match, rank
from sangkien.duplicates.index import DatabaseStore
from sangkien.initiatives.models import Authorship, Initiative

if TYPE_CHECKING:
    from sangkien.accounts.models import User

#: Fewer words than this in title + description: too early to compare.
MIN_WORDS = 12


@dataclass(frozen=True)
class SimilarInitiative:
    """A match with its initiative (``unit`` loaded)."""

    initiative: Initiative
    score: float
    likely_duplicate: bool

    @property
    def percent(self) -> int:
        return round(self.score * 100)


#: What the submit form's panel reads of each shortlisted initiative: the text the re-ranking
#: compares, what a row shows (title, link, unit, status) and what the view permission checks
#: (the sender, the unit's path).  Not the other columns, nor the initiative it duplicates (issue 12).
PANEL_COLUMNS = ("title", "description", "tracking_code", "status", "submitted_by", "unit__name", "unit__path")


def similar_initiatives(*, programme_id: int, title: str, description: str, top: int = 5,
                        exclude: Iterable[int] = (), min_score: float = SHOW_FROM,
                        document: Document | None = None,
                        columns: tuple[str, ...] | None = None) -> list[SimilarInitiative]:
    """The initiatives of the programme most like ``title`` + ``description``.

    ``description`` is sanitised HTML or plain text.  Best first; only
    scores ≥ ``min_score``.  Every programme-wide match is returned: the
    caller decides what of each the viewer may see.  ``columns``: read only
    these of each initiative (``Initiative`` field names, ``unit__…`` for its
    unit; the others are deferred); ``None``: every column, with ``unit`` and
    ``duplicate_of``.
    """
    document = document or Document.of(title, description)
    store = _ShortlistStore(programme_id, columns)
    matches = rank(store, document, top=top, exclude=exclude, min_score=min_score)
    return attach(matches, loaded=store.shortlist)


def attach(matches: list[Match], *, loaded: Mapping[int, Initiative] | None = None) -> list[SimilarInitiative]:
    """The initiatives of ``matches``, in the same order (missing ones dropped).

    ``loaded``: initiatives already read (with their ``unit``), by id; the others are read in one
    query, whole, with ``unit`` and ``duplicate_of``.
    """
    found = dict(loaded or {})
    missing = [m.id for m in matches if m.id not in found]
    if missing:
        found.update(Initiative.objects.select_related("unit", "duplicate_of").in_bulk(missing))
    return [SimilarInitiative(found[m.id], m.score, m.likely_duplicate) for m in matches if m.id in found]


#: ``Document.of(title, description)``, kept for the last 512 texts read as candidates: the
#: same initiatives come back as candidates of one member's successive panel requests and of
#: other members writing on the same topic, so their texts are analysed once per worker, not
#: once per request (issue 12).  Keyed by the whole text: an edited initiative is analysed again.
_analysed = functools.lru_cache(maxsize=512)(Document.of)


class _ShortlistStore(DatabaseStore):
    """The programme's index, whose re-ranking reads the shortlisted initiatives whole.

    :meth:`documents` reads them with their unit (one query) and keeps them in
    :attr:`shortlist`, so :func:`attach` reads nothing again for the matches.
    """

    def __init__(self, programme_id: int, columns: tuple[str, ...] | None = None) -> None:
        super().__init__(programme_id)
        self.columns = columns
        self.shortlist: dict[int, Initiative] = {}

    def documents(self, ids: list[Any]) -> Mapping[Any, Document]:
        if self.columns is None:
            found = Initiative.objects.select_related("unit", "duplicate_of")
        else:
            found = Initiative.objects.select_related("unit").only(*self.columns)
        found = found.filter(pk__in=ids, programme_id=self.programme_id)
        self.shortlist = {initiative.pk: initiative for initiative in found}
        return {pk: _analysed(initiative.title, initiative.description)
                for pk, initiative in self.shortlist.items()}


def similar_to(initiative: Initiative, *, top: int = 5, min_score: float = SHOW_FROM) -> list[SimilarInitiative]:
    """Initiatives of the same programme similar to ``initiative`` (itself excluded)."""
    return similar_initiatives(programme_id=initiative.programme_id, title=initiative.title,
                               description=initiative.description, top=top, exclude=[initiative.pk],
                               min_score=min_score)


def rows_for(user: User, matches: list[SimilarInitiative]) -> list[dict[str, Any]]:
    """What ``user`` may see of each match: everything in scope, else title, unit, status.

    One dict per match: ``initiative``, ``percent``, ``likely``, ``in_scope``,
    ``author`` (the main author's name, in scope only).
    """
    rows = []
    in_scope_ids = [m.initiative.pk for m in matches
                    if user.has_perm("initiatives.view_initiative", m.initiative)]
    authors = dict(Authorship.objects.filter(initiative_id__in=in_scope_ids, position=0)
                   .values_list("initiative_id", "full_name"))
    for m in matches:
        in_scope = m.initiative.pk in in_scope_ids
        rows.append({"initiative": m.initiative, "percent": m.percent, "likely": m.likely_duplicate,
                     "in_scope": in_scope, "author": authors.get(m.initiative.pk, "") if in_scope else ""})
    return rows


def similar_for_form(*, user: User, programme_id: int, title: str, description: str) -> list[dict[str, Any]] | None:
    """Matches to show on the submit form (:func:`rows_for`), or ``None`` when too little is typed.

    ``description`` must already be sanitised (``core.sanitise.clean_description``):
    it is not cleaned here.
    """
    if len((title + " " + plain_text(description)).split()) < MIN_WORDS:
        return None
    matches = similar_initiatives(programme_id=programme_id, title=title, description=description,
                                  columns=PANEL_COLUMNS)
    return rows_for(user, matches)

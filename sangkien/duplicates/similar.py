"""Similar initiatives, as the pages show them: the engine's matches with their initiatives.

Reads only.  The engine (:mod:`sangkien.duplicates.index`,
:mod:`sangkien.duplicates.detector`) answers with integer ids; this module
loads the initiatives and decides what a viewer may see of each.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sangkien.core.sanitise import plain_text
from sangkien.duplicates.detector import SHOW_FROM, Document, Match, Shingled, rank
from sangkien.duplicates.exact import text_digest
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


#: The shingles of the candidates' texts, by their :attr:`~sangkien.duplicates.models.Fingerprint.text_digest`,
#: kept for the last :data:`KEPT_SHINGLES` texts re-ranked: the same initiatives come back as candidates
#: of one member's successive panel requests and of other members writing on the same topic, so their
#: texts are analysed once per worker, not once per request, and not read again (issue 12).  A text's
#: digest is that of its normalised text, from which its shingles follow; the shingles are kept under the
#: digest of the text they were computed from and looked up by the digest the index holds, so a candidate
#: is compared as it is indexed: an edited initiative, once re-indexed, has another digest and is analysed
#: again.  Two texts share a digest with a probability of 2⁻⁶⁴.  About 2.8 KB an entry (``uint64``
#: shingles of a 300-word text): 8,192 entries, about 23 MB a worker.  Until round 11 the whole
#: analysis was kept, keyed by the whole text (512 entries, ~19 KB each with the text's sentences).
KEPT_SHINGLES = 8192
_shingles: OrderedDict[int, np.ndarray] = OrderedDict()
_shingles_lock = threading.Lock()


def _kept_shingles(digest: int | None) -> np.ndarray | None:
    """The kept shingles of the text of ``digest`` (marked as just used), or ``None``."""
    if digest is None:
        return None
    with _shingles_lock:
        found = _shingles.get(digest)
        if found is not None:
            _shingles.move_to_end(digest)
        return found


def _keep_shingles(digest: int | None, shingles: np.ndarray) -> None:
    """Keep ``shingles`` as those of the text of ``digest``, dropping the least recently used beyond
    :data:`KEPT_SHINGLES`."""
    if digest is None:
        return
    with _shingles_lock:
        _shingles[digest] = shingles
        _shingles.move_to_end(digest)
        while len(_shingles) > KEPT_SHINGLES:
            _shingles.popitem(last=False)


@dataclass(frozen=True)
class _Shingled:
    """What the re-ranking compares of a candidate (:func:`~sangkien.duplicates.detector.rank`)."""

    shingles: np.ndarray


class _ShortlistStore(DatabaseStore):
    """The programme's index, whose re-ranking reads the shortlisted initiatives whole.

    :meth:`sketches` keeps the candidates' text digests; :meth:`documents` reads the
    shortlisted initiatives with their unit (one query) and keeps them in
    :attr:`shortlist`, so :func:`attach` reads nothing again for the matches.  A
    shortlisted text whose shingles are kept (:data:`KEPT_SHINGLES`) is not analysed
    again, and when all of them are, the descriptions are not read.
    """

    def __init__(self, programme_id: int, columns: tuple[str, ...] | None = None) -> None:
        super().__init__(programme_id)
        self.columns = columns
        self.shortlist: dict[int, Initiative] = {}
        self.digests: dict[int, int | None] = {}

    def sketches(self, ids: list[Any]) -> Mapping[Any, bytes]:
        found = self.fingerprints(ids)
        self.digests = {pk: digest for pk, (_sketch, digest) in found.items()}
        return {pk: sketch for pk, (sketch, _digest) in found.items()}

    def documents(self, ids: list[Any]) -> Mapping[Any, Shingled]:  # type: ignore[override]  # rank reads .shingles only
        kept = {pk: _kept_shingles(self.digests.get(pk)) for pk in ids}
        if self.columns is None:
            found = Initiative.objects.select_related("unit", "duplicate_of")
        else:
            columns = self.columns
            if all(shingles is not None for shingles in kept.values()):
                columns = tuple(c for c in columns if c != "description")
            found = Initiative.objects.select_related("unit").only(*columns)
        found = found.filter(pk__in=ids, programme_id=self.programme_id)
        self.shortlist = {initiative.pk: initiative for initiative in found}
        out = {}
        for pk, initiative in self.shortlist.items():
            shingles = kept.get(pk)
            if shingles is None:
                document = Document.of(initiative.title, initiative.description)
                shingles = document.shingles
                _keep_shingles(text_digest(document), shingles)  # the text's own digest, whatever the index holds
            out[pk] = _Shingled(shingles)
        return out


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

"""The near-duplicate detector: candidates from LSH bands, exact re-ranking.

One algorithm, two stores: :class:`DatabaseStore` (the programme's index in
the project database, texts from the initiatives) and :class:`MemoryStore`
(a throw-away index of a JSON-lines corpus, for ``manage.py similar
--corpus``).  Both answer the same two questions — "who shares these band
keys?" and "what do these documents say?" — so a figure measured on one
holds for the other.

A query:

1. normalise the text (``normalise.py``) and compute its shingles and
   LSH set (``signature.py``);
2. look up its probe keys; a key shared by more than :data:`MAX_POSTING`
   documents says nothing (common phrasing) and is ignored;
3. take the :data:`SKETCHED` documents sharing the most (and rarest) keys, estimate
   their similarity from their stored sketches and keep the best
   :data:`RERANK`;
4. score those exactly: Jaccard index of the shingle sets, from their text;
5. return the best ``top``, each flagged ``likely_duplicate`` when its score
   reaches :data:`LIKELY_DUPLICATE`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sangkien.duplicates.normalise import normalise
from sangkien.duplicates.signature import (
    estimate,
    features,
    index_keys,
    jaccard,
    minhash,
    probe_keys,
    sketch,
)

#: A band key shared by more documents than this is ignored at query time.
MAX_POSTING = 150
#: How many candidates, most shared keys first, have their sketch compared (200 until
#: issue 12 round 4: at 2,000,000 most held-out misses were then candidates left out here).
SKETCHED = 800
#: How many of those, best estimate first, are scored exactly from their text.
RERANK = 10
#: Jaccard index from which a match is flagged as a likely duplicate.
#: Calibrated on the benchmark (docs/benchmarks.md): planted duplicates of
#: every kind score above it, same-topic initiatives with another solution
#: below it.
LIKELY_DUPLICATE = 0.25
#: Matches below this score are not worth showing a member or a reviewer.
SHOW_FROM = 0.12


@dataclass(frozen=True)
class Document:
    """A text analysed once: its normalised sentences, shingles and LSH set."""

    sentences: list[list[str]]
    shingles: np.ndarray
    lsh_set: np.ndarray

    @classmethod
    def of(cls, title: str, description: str) -> Document:
        sentences = normalise(title, description)
        shingles, lsh_set = features(sentences)
        return cls(sentences, shingles, lsh_set)

    @property
    def signature(self) -> np.ndarray:
        """MinHash of the LSH set (``uint32[PERMUTATIONS]``), computed once."""
        cached = self.__dict__.get("_signature")
        if cached is None:
            cached = minhash(self.lsh_set)
            object.__setattr__(self, "_signature", cached)
        return cached

    def index_keys(self, programme_id: int) -> list[int]:
        return index_keys(self.signature, programme_id)

    @property
    def sketch(self) -> bytes:
        return sketch(self.signature)

    @property
    def normalised(self) -> str:
        """The normalised text, sentences in order (equal for exact resubmissions)."""
        return "\n".join(" ".join(s) for s in self.sentences)


@dataclass(frozen=True)
class Match:
    """A document similar to the query: ``score`` is the exact Jaccard index (0..1)."""

    id: Any
    score: float
    likely_duplicate: bool


class Shingled(Protocol):
    """What the re-ranking reads of a candidate: its shingles (a :class:`Document` has them)."""

    @property
    def shingles(self) -> np.ndarray: ...


class Store(Protocol):
    """Where the index and the texts live."""

    programme_id: int

    def postings(self, keys: list[int], limit: int) -> dict[int, list[Any]]:
        """For each key, the ids sharing it — at most ``limit`` + 1 of them."""

    def sketches(self, ids: list[Any]) -> Mapping[Any, bytes]:
        """The stored sketch of each id that still exists."""

    def documents(self, ids: list[Any]) -> Mapping[Any, Shingled]:
        """The analysed text of each id that still exists (what :func:`rank` compares: the shingles)."""


def candidates(store: Store, query: Document, *, exclude: Iterable[Any] = ()) -> dict[Any, float]:
    """Ids sharing at least one informative probe key with ``query``, with a weight.

    A shared key weighs ``1 / (initiatives sharing it)``: a key only the
    query's duplicate has says much more than one a hundred initiatives
    share (the idea of inverse document frequency, applied to band keys).
    """
    excluded = set(exclude)
    weights: dict[Any, float] = {}
    keys = probe_keys(query.lsh_set, store.programme_id)
    for ids in store.postings(keys, MAX_POSTING).values():
        if len(ids) > MAX_POSTING:
            continue
        weight = 1.0 / len(ids)
        for i in ids:
            if i not in excluded:
                weights[i] = weights.get(i, 0.0) + weight
    return weights


def rank(store: Store, query: Document, *, top: int = 5, exclude: Iterable[Any] = (),
         min_score: float = 0.0) -> list[Match]:
    """The ``top`` documents of ``store`` most similar to ``query``, best first.

    ``exclude``: ids never returned (the initiative itself).  Scores are
    exact; matches below ``min_score`` are dropped.
    """
    counts = candidates(store, query, exclude=exclude)
    # heaviest shared keys first; ties: the older document (the likely original)
    pool = _heaviest(counts, SKETCHED)
    stored = store.sketches(pool)
    pool = [i for i in pool if i in stored]
    estimates = estimate(query.sketch, [stored[i] for i in pool])
    best = sorted(range(len(pool)), key=lambda n: (-estimates[n], -counts[pool[n]], _order(pool[n])))
    shortlist = [pool[n] for n in best[:RERANK]]
    texts = store.documents(shortlist)
    scored = []
    for doc_id in shortlist:
        document = texts.get(doc_id)
        if document is None:
            continue
        score = jaccard(query.shingles, document.shingles)
        if score >= min_score:
            scored.append(Match(doc_id, round(score, 4), score >= LIKELY_DUPLICATE))
    scored.sort(key=lambda m: (-m.score, _order(m.id)))
    return scored[:top]


def _heaviest(counts: dict[Any, float], n: int) -> list[Any]:
    """The ``n`` ids of largest weight, ties by :func:`_order`.

    Integer ids (the database's) are sorted as plain ``(-weight, id)`` tuples,
    compared in C: a panel search may weigh thousands of candidates (issue 12).
    """
    if all(type(i) is int for i in counts):
        return [i for _weight, i in heapq.nsmallest(n, ((-w, i) for i, w in counts.items()))]
    return sorted(counts, key=lambda i: (-counts[i], _order(i)))[:n]


def _order(doc_id: Any) -> Any:
    return (0, doc_id, "") if isinstance(doc_id, int) else (1, 0, str(doc_id))


class MemoryStore:
    """A throw-away index held in dictionaries (``similar --corpus``)."""

    def __init__(self, programme_id: int = 0) -> None:
        self.programme_id = programme_id
        self._postings: dict[int, list[Any]] = {}
        self._documents: dict[Any, Document] = {}
        self._sketches: dict[Any, bytes] = {}

    def add(self, doc_id: Any, document: Document) -> None:
        """Index ``document`` under ``doc_id`` (ids must be unique)."""
        self._documents[doc_id] = document
        self._sketches[doc_id] = document.sketch
        for key in document.index_keys(self.programme_id):
            self._postings.setdefault(key, []).append(doc_id)

    def __len__(self) -> int:
        return len(self._documents)

    def postings(self, keys: list[int], limit: int) -> dict[int, list[Any]]:
        return {k: self._postings[k][:limit + 1] for k in keys if k in self._postings}

    def sketches(self, ids: list[Any]) -> Mapping[Any, bytes]:
        return {i: self._sketches[i] for i in ids if i in self._sketches}

    def documents(self, ids: list[Any]) -> Mapping[Any, Document]:
        return {i: self._documents[i] for i in ids if i in self._documents}

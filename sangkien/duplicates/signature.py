"""Shingles, MinHash signatures and LSH band keys (numpy, vectorised).

An initiative is the SET of its shingles: every content syllable (unigram)
and every pair of neighbouring content syllables inside one sentence
(bigram, unordered: a two-syllable compound written either way round is
one shingle).  A set does not see the order of sentences; a changed word
removes one unigram and at most two bigrams.  Two initiatives are compared
by the Jaccard index of their shingle sets (:func:`jaccard`), exactly.

To find candidates without comparing with every initiative, the set of
bigrams (the "LSH set": single syllables are too common), less the
domain's most common bigrams (:data:`COMMON_BIGRAMS`, issue 12), gets a MinHash
signature of ``BANDS × ROWS`` 32-bit values; band ``i`` (``ROWS``
consecutive values) is hashed with the programme and the band number into
ONE signed 32-bit key (:func:`index_keys`).  Two sets with Jaccard index
``J`` share a given band with probability ``J ** ROWS``, so at least one of
``BANDS`` with ``1 - (1 - J ** ROWS) ** BANDS`` (Broder 1997; Leskovec,
Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3); a query also
probes near keys (:func:`probe_keys`).  :func:`sketch` keeps the signature
in 16 bits per value to estimate similarity cheaply (:func:`estimate`).

Shapes: shingle ids are ``uint64`` arrays, sorted and unique; a signature is
a ``uint32`` array of ``PERMUTATIONS``; keys are lists of Python ints in
``[-2**31, 2**31)``; a sketch is ``SKETCH_BYTES`` bytes.  Changing any
constant or hash here changes the stored keys: bump
``normalise.VERSION`` and run ``manage.py rebuild_duplicate_index``.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

#: LSH parameters (see docs/duplicates.md for the choice).
BANDS = 20
ROWS = 2
PERMUTATIONS = BANDS * ROWS
#: A query probes each band with every combination of its rows' ``PROBE_DEPTH``
#: smallest hashes (``PROBE_DEPTH ** ROWS`` keys a band; 2 in issue 3, 3 in issue 12, 4 since
#: the common bigrams left the LSH set: docs/duplicates.md).
PROBE_DEPTH = 4
#: The bigrams left out of the LSH set (``common_bigrams.txt``, written by
#: ``benchmarks/common_bigrams.py``): folded syllable pairs, ``"a b"``.
COMMON_BIGRAMS_FILE = Path(__file__).with_name("common_bigrams.txt")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_rng = np.random.default_rng(20230726)  # fixed: the stored keys depend on it
_A = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_BIGRAM_LEFT = np.uint64(0x9E3779B97F4A7C15)
_BIGRAM_RIGHT = np.uint64(0xC2B2AE3D27D4EB4F)
_BAND_SALT = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x165667B19E3779F9)
_COLUMN_SALT = (np.arange(ROWS, dtype=np.uint64) + np.uint64(1)) * _BIGRAM_LEFT
_PROGRAMME_MULT = np.array([0xD6E8FEB86659FD93], dtype=np.uint64)
_EMPTY = np.zeros(0, dtype=np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a ``uint64`` array (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_TOKEN_IDS: dict[str, int] = {}


def _token_id(token: str) -> int:
    value = int(_mix(np.array([zlib.crc32(token.encode()) + 1], dtype=np.uint64))[0])
    _TOKEN_IDS[token] = value
    return value


def _bigram_ids(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Ids of the unordered bigrams ``(first[k], second[k])`` of token ids (``uint64`` arrays)."""
    # unordered: "bảo đảm" and "đảm bảo", "đơn giản" and "giản đơn" are one compound
    # (Vietnamese reversible compounds; issue 12)
    low, high = np.minimum(first, second), np.maximum(first, second)
    return _mix(low * _BIGRAM_LEFT + high * _BIGRAM_RIGHT)


def bigram_ids(pairs: Iterable[str]) -> np.ndarray:
    """Sorted unique ids of bigrams written ``"a b"`` (two normalised tokens), as :func:`features` makes them."""
    split = [pair.split() for pair in pairs]
    split = [p for p in split if len(p) == 2]
    if not split:
        return _EMPTY
    first = np.array([_TOKEN_IDS.get(a) or _token_id(a) for a, _b in split], dtype=np.uint64)
    second = np.array([_TOKEN_IDS.get(b) or _token_id(b) for _a, b in split], dtype=np.uint64)
    return np.unique(_bigram_ids(first, second))


def _common_bigrams() -> np.ndarray:
    lines = COMMON_BIGRAMS_FILE.read_text(encoding="utf-8").splitlines()
    return bigram_ids(line for line in lines if line.strip() and not line.startswith("#"))


#: Ids of the bigrams left out of the LSH set: the domain's most common
#: (``COMMON_BIGRAMS_FILE``, about 1,000).  A band key whose MinHash values
#: come from them is shared by thousands of initiatives and skipped as
#: frequent at 2,000,000; without them the keys come from rarer bigrams
#: (docs/duplicates.md, issue 12).
COMMON_BIGRAMS = _common_bigrams()


def features(sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``(shingles, lsh_set)`` of normalised sentences.

    ``shingles``: sorted unique ``uint64`` ids of the unigrams and of the
    bigrams inside a sentence — the set compared exactly.  ``lsh_set``: the
    bigrams other than :data:`COMMON_BIGRAMS` (all the bigrams when every
    one is common; the unigrams when there is no bigram) — the set MinHash
    summarises: single syllables and common bigrams are shared by many
    initiatives and would make bands collide with thousands of others.
    """
    tokens: list[str] = []
    starts: list[int] = []
    for sentence in sentences:
        starts.append(len(tokens))
        tokens.extend(sentence)
    if not tokens:
        return _EMPTY, _EMPTY
    cache = _TOKEN_IDS
    if len(cache) > 200_000:
        cache.clear()
    ids = np.fromiter((cache.get(t) or _token_id(t) for t in tokens), dtype=np.uint64,
                      count=len(tokens))
    # a bigram joins token k and k+1 unless k+1 starts a sentence
    follows = np.ones(len(tokens), dtype=bool)
    follows[np.asarray(starts, dtype=np.int64)] = False
    right = np.nonzero(follows)[0]
    bigrams = np.unique(_bigram_ids(ids[right - 1], ids[right]))
    unigrams = np.unique(ids)
    both = np.union1d(unigrams, bigrams)
    if not len(bigrams):
        return both, unigrams
    rare = np.setdiff1d(bigrams, COMMON_BIGRAMS, assume_unique=True)
    return both, (rare if len(rare) else bigrams)


def shingles(sentences: Sequence[Sequence[str]]) -> np.ndarray:
    """Sorted unique ``uint64`` ids of the unigrams and in-sentence bigrams."""
    return features(sentences)[0]


def _hashes(lsh_set: np.ndarray) -> np.ndarray:
    """``uint64[PERMUTATIONS, len]``: hash ``i`` is ``(a_i · x + b_i) mod 2**64``."""
    return lsh_set[None, :] * _A[:, None] + _B[:, None]


def minhash(lsh_set: np.ndarray) -> np.ndarray:
    """The MinHash signature (``uint32[PERMUTATIONS]``) of a set of ids.

    Multiply-add hashing of already mixed ids, top 32 bits of the minimum.
    An empty set gets all ``0xFFFFFFFF``.
    """
    if not len(lsh_set):
        return np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    return (_hashes(lsh_set).min(axis=1) >> np.uint64(32)).astype(np.uint32)


def _keys(values: np.ndarray, programme_id: int) -> np.ndarray:
    """Signed 32-bit keys of ``values`` (``uint64[..., BANDS, ROWS]``)."""
    combined = _BAND_SALT ^ (np.array([programme_id], dtype=np.uint64) * _PROGRAMME_MULT)
    combined = np.broadcast_to(combined, values.shape[:-1])
    for column in range(ROWS):
        combined = _mix(combined ^ (values[..., column] + _COLUMN_SALT[column]))
    return (combined >> np.uint64(32)).astype(np.int64) - 2**31


def index_keys(signature: np.ndarray, programme_id: int) -> list[int]:
    """The ``BANDS`` keys stored for a MinHash signature (fewer if two collide).

    An empty set's signature (all ``0xFFFFFFFF``) gets no key.
    """
    if bool((signature == 0xFFFFFFFF).all()):
        return []
    values = signature.astype(np.uint64).reshape(BANDS, ROWS)
    return sorted(set(_keys(values, programme_id).tolist()))


#: Bytes of a sketch: the signature's values cut to 16 bits.
SKETCH_BYTES = PERMUTATIONS * 2


def sketch(signature: np.ndarray) -> bytes:
    """A compact copy of the signature (``uint16`` per value, little-endian)."""
    return (signature >> np.uint32(16)).astype("<u2").tobytes()


def keys_and_sketches(texts: Sequence[Sequence[Sequence[str]]], programme_id: int) -> list[tuple[list[int], bytes]]:
    """``(index_keys, sketch)`` of each text's normalised sentences, in order: what
    :func:`features`, :func:`minhash`, :func:`index_keys` and :func:`sketch` give one text at a
    time, for a batch at once (an import's chunk; issue 12, round 4: a few numpy operations instead
    of a dozen per text).  tests/duplicates/test_outputs_pinned.py checks the two ways agree."""
    n = len(texts)
    if not n:
        return []
    flat, offsets = _lsh_sets(texts)
    counts = np.diff(offsets)
    signatures = np.full((n, PERMUTATIONS), 0xFFFFFFFF, dtype=np.uint32)
    full = np.nonzero(counts)[0]
    if len(full):
        smallest = np.minimum.reduceat(_hashes(flat), offsets[full], axis=1)  # [PERMUTATIONS, full]
        signatures[full] = (smallest >> np.uint64(32)).astype(np.uint32).T
    keys = _keys(signatures.astype(np.uint64).reshape(n, BANDS, ROWS), programme_id).tolist()
    empty = (signatures == 0xFFFFFFFF).all(axis=1).tolist()
    sketches = (signatures >> np.uint32(16)).astype("<u2")
    return [([] if empty[i] else sorted(set(keys[i])), sketches[i].tobytes()) for i in range(n)]


def _lsh_sets(texts: Sequence[Sequence[Sequence[str]]]) -> tuple[np.ndarray, np.ndarray]:
    """The LSH sets of :func:`features` of several texts' sentences, one after the other:
    ``(ids, offsets)``, text ``i``'s set ``ids[offsets[i]:offsets[i + 1]]`` (sorted, unique): its
    bigrams other than :data:`COMMON_BIGRAMS`, else all its bigrams, else its unigrams."""
    tokens: list[str] = []
    starts: list[int] = []  # where each sentence starts in ``tokens``
    bounds = [0]  # where each text starts
    for text in texts:
        for sentence in text:
            starts.append(len(tokens))
            tokens.extend(sentence)
        bounds.append(len(tokens))
    n = len(texts)
    if not tokens:
        return _EMPTY, np.zeros(n + 1, dtype=np.int64)
    cache = _TOKEN_IDS
    if len(cache) > 200_000:
        cache.clear()
    for token in set(tokens).difference(cache):
        _token_id(token)  # caches it
    ids = np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    text_of = np.repeat(np.arange(n), np.diff(bounds))  # text of each token
    follows = np.ones(len(tokens), dtype=bool)  # a bigram joins token k and k + 1 unless k + 1 starts a sentence
    follows[np.asarray(starts, dtype=np.int64)] = False
    right = np.nonzero(follows)[0]
    values = _bigram_ids(ids[right - 1], ids[right])
    owners = text_of[right]
    has_bigram = np.zeros(n, dtype=bool)
    has_bigram[owners] = True
    common = np.isin(values, COMMON_BIGRAMS)
    has_rare = np.zeros(n, dtype=bool)
    has_rare[owners[~common]] = True
    keep = ~common | ~has_rare[owners]  # a text whose bigrams are all common keeps them all
    values, owners = values[keep], owners[keep]
    if not has_bigram.all():  # texts whose sentences are single words: their unigrams
        alone = ~has_bigram[text_of]
        values = np.concatenate([values, ids[alone]])
        owners = np.concatenate([owners, text_of[alone]])
    order = np.lexsort((values, owners))  # by text, then value
    values, owners = values[order], owners[order]
    unique = np.ones(len(values), dtype=bool)
    unique[1:] = (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])
    values, owners = values[unique], owners[unique]
    offsets = np.searchsorted(owners, np.arange(n + 1)).astype(np.int64)
    return values, offsets


def estimate(query_sketch: bytes, sketches: list[bytes]) -> np.ndarray:
    """Estimated Jaccard index of the LSH sets: share of equal sketch values.

    ``float64[len(sketches)]``; a sketch of the wrong length scores 0.
    """
    if not sketches:
        return np.zeros(0)
    q = np.frombuffer(query_sketch, dtype="<u2")
    good = [s if len(s) == SKETCH_BYTES else bytes(SKETCH_BYTES) for s in sketches]
    others = np.frombuffer(b"".join(good), dtype="<u2").reshape(len(good), -1)
    return (others == q[None, :]).mean(axis=1)


def probe_keys(lsh_set: np.ndarray, programme_id: int) -> list[int]:
    """Keys looked up for a query: each band with each of its rows taken from
    the ``PROBE_DEPTH`` smallest hashes of that row (multi-probe LSH, Lv et
    al. 2007).

    A word changed in the duplicate often removes the query's minimum for a
    hash (or adds a smaller one); the duplicate's minimum is then often the
    query's second or third smallest.  Probing costs reads, not storage.
    Up to ``PROBE_DEPTH ** ROWS × BANDS`` keys (320); none when the set is
    empty.  Depth 3 instead of 2 found 40 % of the paraphrases depth 2
    missed (issue 12, docs/duplicates.md); depth 4 with the common bigrams
    left out of the LSH set reads fewer index rows than depth 3 without.
    """
    if not len(lsh_set):
        return []
    hashed = _hashes(lsh_set)
    depth = PROBE_DEPTH
    if hashed.shape[1] < depth:  # too few: repeat the largest
        hashed = np.concatenate([hashed] + [hashed[:, -1:]] * (depth - hashed.shape[1]), axis=1)
    smallest = np.sort(np.partition(hashed, depth - 1, axis=1)[:, :depth], axis=1) >> np.uint64(32)
    ranks = [smallest[:, d].reshape(BANDS, ROWS) for d in range(depth)]
    probes = []
    for choice in itertools.product(range(depth), repeat=ROWS):  # each row: one of the smallest
        probe = ranks[0].copy()
        for column, d in enumerate(choice):
            probe[:, column] = ranks[d][:, column]
        probes.append(probe)
    keys = _keys(np.stack(probes), programme_id)
    return sorted(set(keys.ravel().tolist()))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard index of two sorted unique shingle arrays (0 for two empty sets)."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)

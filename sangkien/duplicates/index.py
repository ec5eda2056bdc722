"""The programme's near-duplicate index in the project database.

Rows of :class:`~sangkien.duplicates.models.BandKey` are written in the
same transaction as the initiative (the initiative services reach
:func:`index_text` and :func:`reindex_text` through
:mod:`sangkien.initiatives.text_checks`, implemented in
:mod:`sangkien.duplicates.services`), survive restarts, work on SQLite and
PostgreSQL alike, and can be rebuilt from the initiatives by :func:`rebuild`
(``manage.py rebuild_duplicate_index``).

The same calls claim the text for its author
(:func:`sangkien.duplicates.exact.claim`), which is how the database refuses
an exact resubmission racing the first one.

Part of the duplicate engine: keyed by integer ids, it imports nothing from
``initiatives``.  The indexed records are known only as the target of the
engine's own models' foreign key (:func:`indexed_model`), of which it reads
``pk``, ``programme_id``, ``title`` and ``description``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction

from sangkien.core.sql import int_array
from sangkien.duplicates.detector import MAX_POSTING, Document
from sangkien.duplicates.exact import claim, claim_batch, digest_of, release, text_digest, text_hash
from sangkien.duplicates.models import BandKey, Fingerprint, FrequentKey, IndexVersion
from sangkien.duplicates.normalise import VERSION, normalise
from sangkien.duplicates.signature import keys_and_sketches

#: An empty id array: the shingles and LSH set a batch analysis does not compute.
_EMPTY_IDS = np.zeros(0, dtype=np.uint64)


def indexed_model() -> Any:
    """The model of the indexed records: the target of :class:`Fingerprint`'s foreign key.

    Read for its ``pk``, ``programme_id``, ``title`` and ``description`` only.
    """
    return Fingerprint._meta.get_field("initiative").related_model


class LearnedFrequentKeys:
    """Band keys this process found held by more than ``MAX_POSTING`` initiatives since the
    last count (:func:`refresh_frequent_keys`, nightly), so that it stops reading them.

    In a deadline surge the index grows by the hundred thousand a day and new keys pass the
    limit between two counts; each search that probes one reads ``MAX_POSTING + 1`` rows
    only for the detector to ignore them (issue 12).  Per process, no write: a key is
    learned when a search reads more than the limit of it.  Forgotten every
    :attr:`seconds` (a key whose initiatives were deleted since is read again) and when more
    than :attr:`most` are held (memory stays bounded).
    """

    seconds = 3600.0
    most = 100_000

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        """Start again with no learned key."""
        self.keys: set[int] = set()
        self.since = time.monotonic()

    def current(self) -> set[int]:
        """The learned keys (emptied first when older than :attr:`seconds` or too many)."""
        if time.monotonic() - self.since > self.seconds or len(self.keys) > self.most:
            self.forget()
        return self.keys


#: This process's learned frequent keys (:class:`LearnedFrequentKeys`).
LEARNED = LearnedFrequentKeys()


class DatabaseStore:
    """The index of one programme in the project database."""

    def __init__(self, programme_id: int) -> None:
        self.programme_id = programme_id

    def postings(self, keys: list[int], limit: int) -> dict[int, list[Any]]:
        """For each key at most ``limit + 1`` initiative ids; none for a frequent key.

        Two statements: which of ``keys`` are listed in
        :class:`~sangkien.duplicates.models.FrequentKey` (more than
        ``MAX_POSTING`` rows when last counted, ignored by the detector
        anyway), then the others, each its own ``LIMIT``-ed sub-select, so a
        key shared by thousands of initiatives that grew frequent since the
        last count costs ``limit + 1`` index entries, not thousands.
        (One statement with a ``NOT EXISTS`` per key cost PostgreSQL more
        planning than the skipped rows saved: docs/duplicates.md.)  With
        ``limit`` = ``MAX_POSTING`` (the detector's), a key read with more
        rows than that is remembered by the process (:data:`LEARNED`) and
        answered with nothing from then on, as if it were listed.
        """
        if not keys:
            return {}
        learn = limit == MAX_POSTING
        learned = LEARNED.current() if learn else set()
        keys = [k for k in keys if k not in learned]
        frequent = self.frequent(keys) if keys else set()
        keys = [k for k in keys if k not in frequent]
        if not keys:
            return {}
        qn = connection.ops.quote_name
        table = qn(BandKey._meta.db_table)
        params: list[Any]
        if connection.vendor == "postgresql":
            # One LIMIT-ed sub-select planned once and run per key: 0.5 ms of server CPU for 80 keys,
            # where the UNION ALL of 80 sub-selects cost 4 ms, nearly all planning (docs/duplicates.md).
            sql = (f"SELECT k.key, p.{qn('initiative_id')} FROM unnest(%s::integer[]) AS k(key) "  # noqa: S608
                   f"CROSS JOIN LATERAL (SELECT {qn('initiative_id')} FROM {table} "
                   f"WHERE {qn('band_key')} = k.key LIMIT {int(limit) + 1}) AS p")
            params = [int_array(keys)]
        else:
            one = (f"SELECT {qn('band_key')}, {qn('initiative_id')} FROM "  # noqa: S608 — names are ours
                   f"(SELECT {qn('band_key')}, {qn('initiative_id')} FROM {table} "
                   f"WHERE {qn('band_key')} = %s LIMIT {int(limit) + 1}) AS p{{n}}")
            sql = " UNION ALL ".join(one.format(n=n) for n in range(len(keys)))
            params = list(keys)
        out: dict[int, list[Any]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for key, initiative_id in cursor.fetchall():
                out.setdefault(key, []).append(initiative_id)
        if learn:
            learned.update(key for key, ids in out.items() if len(ids) > limit)
        return out

    def frequent(self, keys: list[int]) -> set[int]:
        """Those of ``keys`` listed as frequent (one primary-key look-up of the small table)."""
        qn = connection.ops.quote_name
        params: list[Any]
        if connection.vendor == "postgresql":  # one array parameter: no 80-item list to parse and plan
            test, params = "= ANY(%s::integer[])", [int_array(keys)]
        else:
            test, params = f"IN ({', '.join(['%s'] * len(keys))})", list(keys)
        sql = f"SELECT {qn('band_key')} FROM {qn(FrequentKey._meta.db_table)} WHERE {qn('band_key')} {test}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {key for (key,) in cursor.fetchall()}

    def sketches(self, ids: list[Any]) -> Mapping[Any, bytes]:
        return {pk: sketch for pk, (sketch, _digest) in self.fingerprints(ids).items()}

    def fingerprints(self, ids: list[Any]) -> dict[Any, tuple[bytes, int | None]]:
        """``{initiative id: (sketch, text digest)}`` of those of ``ids`` that are indexed (one statement;
        :class:`~sangkien.duplicates.models.Fingerprint`)."""
        if not ids:
            return {}
        qn = connection.ops.quote_name
        params: list[Any]
        if connection.vendor == "postgresql":  # one array parameter: a panel search asks for up to 800 ids
            test, params = "= ANY(%s::bigint[])", [int_array(ids)]
        else:
            test, params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
        sql = (f"SELECT {qn('initiative_id')}, {qn('sketch')}, {qn('text_digest')} "  # noqa: S608
               f"FROM {qn(Fingerprint._meta.db_table)} WHERE {qn('initiative_id')} {test}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {pk: (bytes(value), digest) for pk, value, digest in cursor.fetchall()}

    def documents(self, ids: list[Any]) -> Mapping[Any, Document]:
        rows = (indexed_model().objects.filter(pk__in=ids, programme_id=self.programme_id)
                .values_list("pk", "title", "description"))
        return {pk: Document.of(title, description) for pk, title, description in rows}


def _add_keys(initiative_id: int, keys: list[int]) -> None:
    """Add the rows ``(key, initiative_id)`` of ``keys``, skipping those already there: one statement
    on PostgreSQL (the keys as one array), one prepared INSERT run for each key on SQLite.

    What ``BandKey.objects.bulk_create(…, ignore_conflicts=True)`` sent, without building ~80 model
    instances and the statement through the ORM on every submission: 0.80–0.96 ms of CPU for 80
    keys against 0.08–0.11 ms (issue 12 round 10, both databases).
    """
    table = connection.ops.quote_name(BandKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"INSERT INTO {table} (band_key, initiative_id) SELECT k, %s"  # noqa: S608  # the model's table
                           " FROM unnest(%s::int4[]) AS k ON CONFLICT DO NOTHING", [initiative_id, int_array(keys)])
        else:
            cursor.executemany(f"INSERT OR IGNORE INTO {table} (band_key, initiative_id) VALUES (%s, %s)",  # noqa: S608
                               [(key, initiative_id) for key in keys])


def index_text(*, initiative_id: int, programme_id: int, document: Document, author_key: str) -> int:
    """Claim ``document``'s text for ``author_key`` and add its band keys and sketch under ``initiative_id``.

    Call inside the transaction that saves the initiative.  ``author_key``:
    :func:`sangkien.duplicates.exact.author_key` (empty: no claim).
    Returns the number of keys written.

    :raises TextClaimed: the author's claim on this text is held by another
        initiative (see :mod:`sangkien.duplicates.exact`).
    """
    claim(initiative_id=initiative_id, programme_id=programme_id, author_key=author_key, document=document)
    keys = document.index_keys(programme_id)
    _add_keys(initiative_id, keys)
    # one upsert (a new initiative has no fingerprint; a changed text replaces it), not
    # update_or_create's SELECT … FOR UPDATE + savepoint + INSERT (issue 12)
    Fingerprint.objects.bulk_create(
        [Fingerprint(initiative_id=initiative_id, sketch=document.sketch, text_digest=text_digest(document))],
        update_conflicts=True, unique_fields=["initiative"], update_fields=["sketch", "text_digest"])
    return len(keys)


def unindex_text(*, initiative_id: int, programme_id: int, title: str, description: str) -> None:
    """Remove the keys that ``title`` + ``description`` gave ``initiative_id``.

    The keys are recomputed from the old text, so the delete uses the
    primary key (no index on ``initiative_id`` is needed).
    """
    keys = Document.of(title, description).index_keys(programme_id)
    if keys:
        BandKey.objects.filter(band_key__in=keys, initiative_id=initiative_id).delete()


def reindex_text(*, initiative_id: int, programme_id: int, old_title: str, old_description: str,
                 document: Document, author_key: str) -> None:
    """The text of ``initiative_id`` changed to ``document``: swap its keys and its claim (same transaction).

    :raises TextClaimed: the new text is claimed by another initiative of the same author.
    """
    unindex_text(initiative_id=initiative_id, programme_id=programme_id,
                 title=old_title, description=old_description)
    release(initiative_id)
    index_text(initiative_id=initiative_id, programme_id=programme_id, document=document, author_key=author_key)


def _batches(queryset: Any, size: int) -> Iterator[list[tuple[int, int, str, str]]]:
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "programme_id", "title", "description")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


Analysed = tuple[list[tuple[int, int]], list[tuple[int, bytes, int | None]]]


def _keys_of(rows: list[tuple[int, int, str, str]]) -> Analysed:
    """``([(band_key, initiative_id), ...], [(initiative_id, sketch, text_digest), ...])`` of a batch.

    The keys in key order (inserted on neighbouring pages of the primary key's B-tree); the
    sketches in the order of ``rows``.  Analysed by :func:`analyse_batch`, a programme's rows
    together (issue 12, round 5: a rebuild had analysed each text alone, shingles included);
    the same outputs as :func:`analyse` (tests/duplicates/test_outputs_pinned.py).
    """
    by_programme: dict[int, list[tuple[int, str, str]]] = {}
    for pk, programme_id, title, description in rows:
        by_programme.setdefault(programme_id, []).append((pk, title, description))
    analysed: dict[int, tuple[int, Analysis]] = {}
    for programme_id, group in by_programme.items():
        analyses = analyse_batch(programme_id, [(title, description) for _pk, title, description in group])
        analysed.update((pk, (programme_id, analysis)) for (pk, _t, _d), analysis in zip(group, analyses, strict=True))
    items = [(pk, *analysed[pk]) for pk, _p, _t, _d in rows]
    return _key_rows(items), [(pk, analysis.sketch, digest_of(analysis.text_hash)) for pk, _p, analysis in items]


def _insert_sql() -> tuple[str, str]:
    qn = connection.ops.quote_name
    keys = f"INSERT INTO {qn(BandKey._meta.db_table)} (band_key, initiative_id) VALUES (%s, %s)"  # noqa: S608
    sketches = (f"INSERT INTO {qn(Fingerprint._meta.db_table)} "  # noqa: S608
                "(initiative_id, sketch, text_digest) VALUES (%s, %s, %s)")
    return keys, sketches


@dataclass(frozen=True)
class Analysis:
    """What indexing and claiming need of one text: band keys, sketch, exact-text hash."""

    keys: list[int]
    sketch: bytes
    text_hash: str


def analyse(programme_id: int, title: str, description: str) -> Analysis:
    """Analyse a text before its initiative is written (CPU only, no query): an
    import does this outside its write transaction (issue 9 item 6)."""
    document = Document.of(title, description)
    return Analysis(document.index_keys(programme_id), document.sketch, text_hash(document))


#: Texts analysed together by :func:`analyse_batch` (its numpy arrays): 200 fit the CPU's caches; a
#: rebuild's 5,000 at once took half as long again (issue 12, round 5: 0.19–0.20 ms a text by 128–250,
#: 0.31–0.45 ms by 4,000, on 4,000 synthetic texts).
ANALYSIS_BATCH = 200


def analyse_batch(programme_id: int, texts: Sequence[tuple[str, str]]) -> list[Analysis]:
    """:func:`analyse` of each ``(title, description)`` of ``texts``, in order: the same analyses.

    For an import's batch (issue 12, round 4: the text analysis was 44 % of the save pass).  Each
    text is normalised alone; the keys and sketches of the whole batch come from
    :func:`~sangkien.duplicates.signature.keys_and_sketches` (a few numpy operations instead of a
    dozen per text), :data:`ANALYSIS_BATCH` texts at a time, and the shingle set that only the
    detector's re-ranking uses is not computed.  tests/duplicates/test_outputs_pinned.py checks both
    give the same outputs.  Also what a rebuild and :func:`index_batch` use (round 5).
    """
    sentences = [normalise(title, description) for title, description in texts]
    analysed = [item for start in range(0, len(sentences), ANALYSIS_BATCH)
                for item in keys_and_sketches(sentences[start:start + ANALYSIS_BATCH], programme_id)]
    return [Analysis(keys, sketch_bytes, text_hash(Document(text, _EMPTY_IDS, _EMPTY_IDS)))
            for text, (keys, sketch_bytes) in zip(sentences, analysed, strict=True)]


def _key_rows(items: list[tuple[int, int, Analysis]]) -> list[tuple[int, int]]:
    """``sorted((key, pk) for each key of each item)``, sorted by numpy (a third of the time)."""
    keys = np.fromiter(itertools.chain.from_iterable(analysis.keys for _pk, _p, analysis in items), dtype=np.int64)
    pks = np.repeat(np.fromiter((pk for pk, _p, _a in items), dtype=np.int64, count=len(items)),
                    [len(analysis.keys) for _pk, _p, analysis in items])
    order = np.lexsort((pks, keys))
    return list(zip(keys[order].tolist(), pks[order].tolist(), strict=True))


def index_analysed(items: list[tuple[int, int, Analysis]], *, author_keys: dict[int, str]) -> int:
    """Index and claim new initiatives given as ``(pk, programme_id, analysis)``.

    :func:`index_batch` for texts analysed beforehand (:func:`analyse`), with claims;
    ``author_keys``: initiative pk → :func:`sangkien.duplicates.exact.author_key`;
    a claim already held is skipped (:func:`~sangkien.duplicates.exact.claim_batch`).
    Returns the number of keys written.
    """
    keys = _key_rows(items)
    insert_keys, insert_sketches = _insert_sql()
    with connection.cursor() as cursor:
        cursor.executemany(insert_keys, keys)
        cursor.executemany(insert_sketches, [(pk, analysis.sketch, digest_of(analysis.text_hash))
                                             for pk, _programme, analysis in items])
    claim_batch([(pk, programme_id, author_keys.get(pk, ""), analysis.text_hash)
                 for pk, programme_id, analysis in items])
    return len(keys)


def index_batch(rows: list[tuple[int, int, str, str]]) -> int:
    """Index new initiatives given as ``(pk, programme_id, title, description)``.

    For bulk inserts that bypass :func:`index_text` (demo data, a
    rebuild): call it in the same transaction, with rows not indexed yet.
    No exact-text claims (an import uses :func:`index_analysed`).  Returns
    the number of keys written.
    """
    keys, sketches = _keys_of(rows)
    insert_keys, insert_sketches = _insert_sql()
    with connection.cursor() as cursor:
        cursor.executemany(insert_keys, keys)
        cursor.executemany(insert_sketches, sketches)
    return len(keys)


@dataclass
class RebuildResult:
    """What :func:`rebuild` did: initiatives indexed, keys written, seconds."""

    initiatives: int
    keys: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.initiatives / self.seconds if self.seconds else 0.0


def rebuild(*, programme_id: int | None = None, batch: int = 2000, workers: int = 1,
            progress: Callable[[int], None] | None = None) -> RebuildResult:
    """Recompute the index of one programme (or of all) from the initiatives.

    Deletes the old rows first (and, for all programmes, rows of deleted
    initiatives), then writes ``batch`` initiatives per transaction; with
    ``workers`` > 1 the text analysis runs in that many processes.
    ``progress`` is called with the number of initiatives done.  A rebuild
    of all programmes records the code's :data:`~sangkien.duplicates.normalise.VERSION`
    as the index's (:class:`IndexVersion`); one programme's does not.
    """
    started = time.perf_counter()
    table = connection.ops.quote_name(BandKey._meta.db_table)
    with transaction.atomic():
        if programme_id is None:
            BandKey.objects.all()._raw_delete(BandKey.objects.db)
            Fingerprint.objects.all()._raw_delete(Fingerprint.objects.db)
        else:
            BandKey.objects.filter(initiative__programme_id=programme_id)._raw_delete(BandKey.objects.db)
            Fingerprint.objects.filter(initiative__programme_id=programme_id)._raw_delete(
                Fingerprint.objects.db)
            with connection.cursor() as cursor:  # rows of deleted initiatives
                cursor.execute(
                    f"DELETE FROM {table} WHERE initiative_id NOT IN "  # noqa: S608 — names are ours
                    f"(SELECT id FROM {connection.ops.quote_name(indexed_model()._meta.db_table)})")
    tune = connection.vendor == "sqlite" and not connection.in_atomic_block
    if tune:
        with connection.cursor() as cursor:
            # while rebuilding: 1.5 GiB of page cache, and a checkpoint every
            # ~1 GiB of WAL instead of every 4 MiB (each hot index page is then
            # copied to the database once per GiB, not once per batch)
            cursor.execute("PRAGMA cache_size = -1572864")
            cursor.execute("PRAGMA wal_autocheckpoint = 262144")
    queryset = indexed_model().objects.all()
    if programme_id is not None:
        queryset = queryset.filter(programme_id=programme_id)
    insert, insert_sketch = _insert_sql()
    done = written = 0

    def write(result: Analysed) -> None:
        nonlocal done, written
        rows, sketches = result
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
            cursor.executemany(insert_sketch, sketches)
        done += len(sketches)
        written += len(rows)
        if progress:
            progress(done)

    try:
        if workers <= 1:
            for rows in _batches(queryset, batch):
                write(_keys_of(rows))
        else:
            _in_pool(queryset, batch, workers, write)
    finally:
        if tune:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint = 1000")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    refresh_frequent_keys()
    if programme_id is None:  # the whole index now comes from this version
        IndexVersion.objects.update_or_create(id=1, defaults={"version": VERSION})
    return RebuildResult(done, written, time.perf_counter() - started)


def stored_version() -> int:
    """The normalisation version that built the stored index (:class:`IndexVersion`).

    Migration ``0004_index_version`` records it (1 over an index built before it). With no record
    the tables were emptied since (``manage.py flush``; the test suite's transactional tests do
    this), so whatever the index holds was written afterwards by this code: :data:`VERSION`.
    """
    recorded = IndexVersion.objects.filter(id=1).values_list("version", flat=True).first()
    return VERSION if recorded is None else recorded


def refresh_frequent_keys(limit: int = MAX_POSTING) -> int:
    """Recount the band keys held by more than ``limit`` rows into :class:`FrequentKey` (one transaction).

    Counts every row of the index (all programmes: a band key embeds its
    programme), as :meth:`DatabaseStore.postings` sees them; one scan of
    the index's primary key (seconds at 2,000,000 initiatives).  Run by
    :func:`rebuild` and by ``manage.py rebuild_duplicate_index
    --frequent-keys`` (nightly: keys that grew past the limit since are
    read and ignored until then, as before issue 12).  Returns the number
    of frequent keys.
    """
    qn = connection.ops.quote_name
    table, frequent = qn(BandKey._meta.db_table), qn(FrequentKey._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {frequent}")  # noqa: S608 — names are ours
        cursor.execute(f"INSERT INTO {frequent} ({qn('band_key')}, {qn('postings')}) "  # noqa: S608
                       f"SELECT {qn('band_key')}, COUNT(*) FROM {table} GROUP BY {qn('band_key')} "
                       "HAVING COUNT(*) > %s", [int(limit)])
        return int(cursor.rowcount)


@dataclass(frozen=True)
class IndexCheck:
    """What :func:`check` found: initiatives without a fingerprint, and with a stale one."""

    initiatives: int
    missing: int
    stale: int
    #: the version that built the index (:func:`stored_version`) and the code's
    version: int = VERSION
    current: int = VERSION

    @property
    def outdated(self) -> bool:
        """The index was built by another normalisation version (and is not empty)."""
        return self.version != self.current and self.initiatives > self.missing

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.outdated)


def check(*, programme_id: int | None = None, batch: int = 2000) -> IndexCheck:
    """Compare the index with the initiatives of one programme (or of all); writes nothing.

    *Missing*: an initiative without a :class:`Fingerprint` (a path that
    created it without calling :func:`index_text` or
    :func:`index_batch`).  *Stale*: its fingerprint differs from the sketch
    or the text digest of its current title + description (a path that changed the text
    without :func:`reindex_text`, or an index built by another normalisation
    version: :attr:`IndexCheck.outdated`).  Every write path writes the band
    keys and the fingerprint together, so the fingerprint stands for both.
    Reads ``batch`` initiatives at a time.
    """
    queryset = indexed_model().objects.all()
    if programme_id is not None:
        queryset = queryset.filter(programme_id=programme_id)
    total = missing = stale = 0
    for rows in _batches(queryset, batch):
        stored = {pk: (sketch, digest) for pk, sketch, digest in
                  Fingerprint.objects.filter(initiative_id__in=[r[0] for r in rows])
                  .values_list("initiative_id", "sketch", "text_digest")}
        for pk, _programme_id, title, description in rows:
            total += 1
            found = stored.get(pk)
            if found is None:
                missing += 1
                continue
            document = Document.of(title, description)
            if bytes(found[0]) != document.sketch or found[1] != text_digest(document):
                stale += 1
    return IndexCheck(total, missing, stale, stored_version(), VERSION)


def _in_pool(queryset: Any, batch: int, workers: int, write: Callable[[Analysed], None]) -> None:
    """Read batches here, analyse them in ``workers`` forked processes, write here."""
    import multiprocessing
    from collections import deque

    pending: deque[Any] = deque()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for rows in _batches(queryset, batch):
            pending.append(pool.apply_async(_keys_of, (rows,)))
            if len(pending) > workers:
                write(pending.popleft().get())
        while pending:
            write(pending.popleft().get())
        # Let the workers finish and exit before the with-block ends: its exit calls terminate(),
        # which could hang on a worker killed while holding the task queue's lock (seen under load).
        pool.close()
        pool.join()

"""The near-duplicate index: one narrow row per band of each initiative."""

from __future__ import annotations

from django.db import models


class BandKey(models.Model):
    """Initiative ``initiative`` has LSH band key ``band_key`` (see ``signature.py``).

    ``band_key`` is a signed 32-bit hash of the programme, the band number
    and the band's MinHash values, so one B-tree on ``(band_key,
    initiative)`` — the primary key — answers "which initiatives of this
    programme share this band?" without a programme column.  About 20 rows
    per initiative.

    ``initiative`` has neither a foreign-key constraint nor its own index
    (the index must stay small): rows of a deleted initiative are ignored by
    the look-ups and removed by ``manage.py rebuild_duplicate_index``.
    """

    pk = models.CompositePrimaryKey("band_key", "initiative")
    band_key = models.IntegerField()
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = "band key"

    def __str__(self) -> str:
        return f"{self.band_key} → {self.initiative_id}"


class Fingerprint(models.Model):
    """The compact MinHash sketch of an initiative (``signature.sketch``).

    Lets a query estimate its similarity to every candidate from one
    primary-key look-up, and score exactly (from the text) only the best
    few.  Deleted with the initiative.

    ``text_digest``: the first 64 bits of the SHA-256 of the normalised text
    (:func:`sangkien.duplicates.exact.text_digest`, a signed integer; ``None``
    for an empty text), indexed: the exact-resubmission check finds the
    initiatives with the same text in one equality look-up (issue 12),
    without the LSH search.  Two different texts share a digest with a
    probability of 2⁻⁶⁴ per pair.
    """

    initiative = models.OneToOneField(
        "initiatives.Initiative", on_delete=models.CASCADE, primary_key=True, related_name="+",
    )
    sketch = models.BinaryField()
    text_digest = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        verbose_name = "fingerprint"

    def __str__(self) -> str:
        return f"fingerprint of {self.initiative_id}"


class ExactText(models.Model):
    """Claim of one author on one normalised text in a programme (issue 9 item 7).

    The unique constraint on ``(programme, author_key, text_hash)`` is what
    makes "the same author may not send the same text twice" hold under
    concurrent posts (two tabs, a double click with new tokens): the row is
    written in the transaction that saves the initiative, so of two racing
    submissions one commits and the other's insert finds the claim taken
    (:class:`~sangkien.duplicates.services.ExactResubmission`, its
    transaction rolled back).

    - ``author_key``: ``"u:<user pk>"`` for a member's own submission; for
      an entry on a member's behalf (or an import) the main author's
      ``"p:<E.164 phone>"``, else ``"e:<lower-case e-mail>"``
      (:func:`sangkien.duplicates.services.author_key`).
    - ``text_hash``: SHA-256 (hex) of the normalised title + description
      (:attr:`sangkien.duplicates.detector.Document.normalised`).

    An initiative has at most one claim; an initiative with an empty text or
    no author key has none.  Initiatives saved before the table existed that
    repeat an earlier one keep no claim (migration ``0002_exact_text``).
    """

    initiative = models.OneToOneField(
        "initiatives.Initiative", on_delete=models.CASCADE, primary_key=True, related_name="+",
    )
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    author_key = models.CharField(max_length=260)
    text_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "exact text claim"
        constraints = [
            models.UniqueConstraint(fields=["programme", "author_key", "text_hash"], name="exact_text_once"),
        ]

    def __str__(self) -> str:
        return f"{self.author_key} · {self.text_hash[:12]} → {self.initiative_id}"


class FrequentKey(models.Model):
    """A band key held by more than :data:`~sangkien.duplicates.detector.MAX_POSTING` initiatives (issue 12).

    Such a key says nothing about similarity (common phrasing) and the
    detector ignores it; listed here, a query drops it after one look-up
    of this small table instead of reading its ``MAX_POSTING + 1`` rows to
    find that out (:meth:`sangkien.duplicates.index.DatabaseStore.postings`).  ``postings``:
    how many rows it had when counted.  Band keys embed the programme, so
    no programme column.  Refreshed by :func:`sangkien.duplicates.index.refresh_frequent_keys`
    (after every rebuild, and ``manage.py rebuild_duplicate_index --frequent-keys``);
    a key that grows past the limit between two refreshes is still read
    and ignored as before, so a stale list changes no answer.
    """

    band_key = models.IntegerField(primary_key=True)
    postings = models.IntegerField()

    class Meta:
        verbose_name = "frequent band key"

    def __str__(self) -> str:
        return f"{self.band_key} ({self.postings})"


class IndexVersion(models.Model):
    """Which :data:`sangkien.duplicates.normalise.VERSION` built the stored index (one row, ``id`` 1).

    Band keys, sketches and text digests all depend on the normalisation
    and the hashing: an index built by another version answers wrongly
    (a paraphrase shares no key with its original, an exact copy no
    digest).  Written by a full :func:`sangkien.duplicates.index.rebuild`
    (``manage.py rebuild_duplicate_index`` without ``--programme``); read
    by :func:`sangkien.duplicates.index.check` (``--check`` exits 1 while
    it differs from the code's).  Migration ``0004_index_version`` records
    version 1 for an index that existed before it (built by version 1).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "duplicate index version"

    def __str__(self) -> str:
        return f"duplicate index version {self.version}"

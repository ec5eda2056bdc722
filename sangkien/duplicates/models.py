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
    """

    initiative = models.OneToOneField(
        "initiatives.Initiative", on_delete=models.CASCADE, primary_key=True, related_name="+",
    )
    sketch = models.BinaryField()

    class Meta:
        verbose_name = "fingerprint"

    def __str__(self) -> str:
        return f"fingerprint of {self.initiative_id}"

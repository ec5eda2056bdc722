"""Exact resubmission, enforced by the database (issue 9 item 7).

Part of the duplicate engine: keyed by integer ids, it imports nothing from
``initiatives`` (:mod:`sangkien.duplicates.services` turns a refused claim
into :class:`~sangkien.initiatives.text_checks.ExactResubmission`).

:func:`sangkien.duplicates.services.refuse_exact_resubmission` looks for an
earlier copy *before* the saving transaction, so two posts of the same text
racing each other (two tabs, each with its own form token) both passed it.
The claim closes that gap: in the transaction that saves an initiative,
:func:`claim` inserts an :class:`~sangkien.duplicates.models.ExactText` row
whose unique constraint ``(programme, author_key, text_hash)`` lets one of
the racers commit; the others get :class:`TextClaimed` with the id of the
initiative that won (the services raise ``ExactResubmission`` with it,
exactly as if the pre-check had found it).

Who "the same author" is (``author_key``):

- a member's own submission: the member (``"u:<user pk>"``);
- an entry on a member's behalf, or a row of an import: the main author's
  phone (``"p:+84…"``, E.164), else e-mail (``"e:…"``, lower case); with
  neither, no claim (nothing identifies the author).

The pre-check also treats a member's own submission and the support team's
entry of the same text for them as one (same phone or e-mail); that case
is not a race between two tabs and stays with the pre-check.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, connection

from sangkien.duplicates.detector import Document
from sangkien.duplicates.models import ExactText


class TextClaimed(Exception):  # noqa: N818 — a refusal, not a fault
    """The same author's claim on the same text is held by initiative ``holder_id``."""

    def __init__(self, holder_id: int) -> None:
        super().__init__(holder_id)
        self.holder_id = holder_id


def text_hash(document: Document) -> str:
    """SHA-256 (64 hex digits) of ``document``'s normalised text; ``""`` for an empty text."""
    if not document.sentences:
        return ""
    return hashlib.sha256(document.normalised.encode("utf-8")).hexdigest()


def digest_of(hex_hash: str) -> int | None:
    """The first 64 bits of a :func:`text_hash`, as a signed integer (a ``bigint``); ``None`` for ``""``."""
    if not hex_hash:
        return None
    return int.from_bytes(bytes.fromhex(hex_hash[:16]), "big", signed=True)


def text_digest(document: Document) -> int | None:
    """``document``'s :attr:`~sangkien.duplicates.models.Fingerprint.text_digest` (``None``: empty text).

    Equal normalised texts have equal digests; two different texts share one
    with a probability of 2⁻⁶⁴.
    """
    return digest_of(text_hash(document))


def author_key(*, submitted_by_id: int | None, phone: str = "", email: str = "") -> str:
    """``"u:<pk>"``, ``"p:<phone>"``, ``"e:<email>"`` or ``""`` (see the module's docstring).

    ``phone`` is E.164 (as stored on ``Person``).
    """
    if submitted_by_id:
        return f"u:{submitted_by_id}"
    if phone:
        return f"p:{phone}"
    if email:
        return f"e:{email.strip().lower()}"
    return ""


def claim(*, initiative_id: int, programme_id: int, author_key: str, document: Document) -> None:
    """Claim ``document``'s text for ``author_key`` (:func:`author_key`), inside the transaction saving it.

    One ``INSERT … ON CONFLICT DO NOTHING``: a concurrent claim of the same
    key makes it wait for that transaction, then insert nothing.  The
    initiative must hold no claim (a changed text: :func:`release` first).
    An empty key or text claims nothing.

    :raises TextClaimed: the same author's claim on the same text is held by
        another initiative of the programme (committed, or committed while
        we waited for its lock); the caller's transaction must roll back.
    """
    digest = text_hash(document)
    if not author_key or not digest:
        return
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(ExactText._meta.db_table)} (initiative_id, programme_id, author_key, text_hash) "  # noqa: S608
           "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [initiative_id, programme_id, author_key, digest])
        if cursor.rowcount == 1:
            return
    holder = (ExactText.objects.filter(programme_id=programme_id, author_key=author_key, text_hash=digest)
              .values_list("initiative_id", flat=True).first())
    if holder is None:  # cannot happen: the conflicting row is committed and cascades with its initiative
        raise IntegrityError("exact-text claim refused without a holder")
    raise TextClaimed(holder)


def release(initiative_id: int) -> None:
    """Drop initiative ``initiative_id``'s claim (its text is about to change)."""
    ExactText.objects.filter(initiative_id=initiative_id).delete()


def claim_batch(claims: list[tuple[int, int, str, str]]) -> None:
    """Insert ``(initiative_id, programme_id, author_key, text_hash)`` claims in one statement.

    For bulk inserts (an import): a claim already held by another
    initiative is skipped (``ON CONFLICT DO NOTHING``, SQLite ≥ 3.24 and
    PostgreSQL), the row stays saved — the import's own duplicate check
    (:mod:`sangkien.imports.dedupe`) is the rule there.  Claims with an
    empty key or hash are left out.
    """
    rows = [c for c in claims if c[2] and c[3]]
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(ExactText._meta.db_table)} (initiative_id, programme_id, author_key, text_hash) "  # noqa: S608
           "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


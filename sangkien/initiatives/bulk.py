"""Many initiatives entered at once on members' behalf: the bulk half of the one write path.

:func:`create_initiatives_bulk` does for a batch, in a handful of queries,
what :func:`sangkien.initiatives.services.submit_initiative` does for one
initiative entered on a member's behalf: ``entered_by`` is the actor,
``submitted_by`` empty, status submitted, a fresh tracking code, one history
entry, the authors matched by the same :class:`~sangkien.initiatives.people.PersonResolver`
(each authorship keeps what was typed), and the texts claimed and indexed
through the same :mod:`~sangkien.initiatives.text_checks`.  Rows are written
by :func:`sangkien.core.bulk.insert_rows` (``executemany`` on SQLite,
``COPY`` on PostgreSQL).  The import (:mod:`sangkien.imports.saving`) calls
it batch by batch.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sangkien.core.bulk import date_adapter, datetime_adapter, insert_rows, rows_in
from sangkien.core.clock import now
from sangkien.initiatives.details import DETAIL_FIELDS, AuthorData, InitiativeDetails
from sangkien.initiatives.models import (
    SNAPSHOT_FIELDS,
    TRACKING_ALPHABET,
    Authorship,
    Initiative,
    Status,
    StatusChange,
)
from sangkien.initiatives.people import PersonResolver, identity, snapshot
from sangkien.initiatives.text_checks import text_checks
from sangkien.programmes.models import Phase, Programme

if TYPE_CHECKING:
    from sangkien.accounts.models import User

_INITIATIVE_FIELDS = ("programme", "phase", "unit", "unit_unlisted", "unit_unlisted_name", "submitted_at",
                      "submitted_by", "entered_by", "updated_at", "status", "submission_token", "tracking_code",
                      *DETAIL_FIELDS)
_DATES = tuple(i for i, name in enumerate(DETAIL_FIELDS) if name in ("recognised_on", "applied_from", "applied_to"))
_AUTHORSHIP_FIELDS = ("initiative", "person", "position", *SNAPSHOT_FIELDS)
_HISTORY_FIELDS = ("initiative", "at", "actor", "from_status", "to_status", "reason")


@dataclass(frozen=True)
class NewInitiative:
    """One initiative of a bulk entry: its unit (pk), what it says, its authors (``authors[0]`` the main one).

    ``analysed``: its text analysed beforehand by ``text_checks().analyse``
    (outside the write transaction), or ``None`` to analyse it here.
    ``unit_unlisted_name``: the member's own unit, not in the list (``unit_id``
    is then the unit above it), as on the form.  ``submitted_at``: when it
    was sent (aware), for a loader replaying past entries; ``None`` for now.
    """

    unit_id: int
    details: InitiativeDetails
    authors: Sequence[AuthorData]
    analysed: object | None = None
    unit_unlisted_name: str = ""
    submitted_at: dt.datetime | None = None


def create_initiatives_bulk(*, rows: Sequence[NewInitiative], programme: Programme, phase: Phase, actor: User | None,
                            reason: str, people: PersonResolver) -> list[str]:
    """Write ``rows`` as submitted initiatives of ``phase``; return their tracking codes, in row order.

    ``actor``: the user entering them (``None`` for a command run without
    one); ``reason``: the history line of each; ``people``: the resolver
    of the whole entry (:meth:`PersonResolver.for_unit` for an import), so
    one person named on several batches is one participant.  The same
    person twice on one initiative is one authorship (the first place).

    Must run inside the caller's transaction; no permission or window check
    (the caller checked them for the whole entry) and no audit row (the
    caller logs the entry as a whole).
    """
    if not rows:
        return []
    checks = text_checks()
    analysed = [row.analysed if row.analysed is not None else checks.analyse(
        programme_id=programme.pk, title=row.details.title, description=row.details.description) for row in rows]
    person_ids = people.resolve([a for row in rows for a in row.authors])
    codes = new_tracking_codes(len(rows))
    at = now()
    moment, day = datetime_adapter(), date_adapter()
    when = moment(at)
    sent = [when if row.submitted_at is None else moment(row.submitted_at) for row in rows]
    entered_by = actor.pk if actor is not None else None
    head = (programme.pk, phase.pk)
    tail = (None, entered_by, when, Status.SUBMITTED, None)

    def initiative(row: NewInitiative, submitted_at: Any, code: str) -> tuple[Any, ...]:
        details = row.details  # its columns in DETAIL_FIELDS order (``columns()`` without asdict's deep copy)
        values = [getattr(details, name) for name in DETAIL_FIELDS]
        for i in _DATES:
            values[i] = day(values[i])
        return (*head, row.unit_id, bool(row.unit_unlisted_name), row.unit_unlisted_name[:255], submitted_at,
                *tail, code, *values)

    insert_rows(Initiative, _INITIATIVE_FIELDS,
                [initiative(row, submitted_at, code) for row, submitted_at, code in zip(rows, sent, codes, strict=True)])
    ids = dict(rows_in(Initiative, ("tracking_code", "id"), "tracking_code", codes))
    authorships = []
    for row, code in zip(rows, codes, strict=True):
        placed: set[int] = set()
        for position, author in enumerate(row.authors):
            pk = person_ids[identity(author)]
            if pk in placed:  # the same person twice on one initiative
                continue
            placed.add(pk)
            authorships.append((ids[code], pk, position, *snapshot(author).values()))
    insert_rows(Authorship, _AUTHORSHIP_FIELDS, authorships)
    insert_rows(StatusChange, _HISTORY_FIELDS,
                [(ids[code], submitted_at, entered_by, "", Status.SUBMITTED, reason)
                 for code, submitted_at in zip(codes, sent, strict=True)])
    # The texts join the near-duplicate index and claim their exact text for
    # their main author as typed, in the same transaction.
    checks.claim_and_index_bulk([(ids[code], programme.pk, analysis, row.authors[0].phone, row.authors[0].email)
                                 for row, code, analysis in zip(rows, codes, analysed, strict=True)])
    return codes


#: Byte → letter of the tracking alphabet (32 letters: each letter is 8 of the 256 byte values, so
#: uniform random bytes give uniform random letters).
assert len(TRACKING_ALPHABET) == 32  # noqa: S101 - 256 byte values must map evenly onto the letters
_LETTER_OF_BYTE = bytes.maketrans(bytes(range(256)), bytes(ord(TRACKING_ALPHABET[b % 32]) for b in range(256)))


def _random_codes(n: int) -> set[str]:
    """``n`` random codes of :func:`~sangkien.initiatives.models.new_tracking_code`'s form
    (``SK-`` and 8 letters of the alphabet, each drawn with ``secrets``), from one
    ``secrets.token_bytes`` call instead of 8 ``secrets.choice`` calls a code (issue 12)."""
    letters = secrets.token_bytes(8 * n).translate(_LETTER_OF_BYTE).decode("ascii")
    return {"SK-" + letters[i:i + 8] for i in range(0, 8 * n, 8)}


def new_tracking_codes(n: int) -> list[str]:
    """``n`` new tracking codes (:func:`~sangkien.initiatives.models.new_tracking_code`), unique in the batch and in the database."""
    codes: set[str] = set()
    while len(codes) < n:
        wanted = _random_codes(n - len(codes))
        wanted -= {code for (code,) in rows_in(Initiative, ("tracking_code",), "tracking_code", wanted)}
        codes |= wanted
    return list(codes)

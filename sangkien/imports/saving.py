"""The import's writer: checked rows become initiatives, a batch at a time.

Each batch goes through :func:`sangkien.initiatives.bulk.create_initiatives_bulk`,
the bulk half of the initiative write path (what
:func:`sangkien.initiatives.services.submit_initiative` does for one
initiative entered on a member's behalf, done for a batch in a handful of
queries).  People are matched by one
:class:`sangkien.initiatives.people.PersonResolver` for the whole import,
the rule the web form uses, with the import unit's subtree as the circle
(a verified account's phone, else an earlier authorship in the subtree with
the same phone / e-mail / — no contact — name; else a new person); within
one import the same person is one participant however many rows name them.
Each authorship keeps what its row said (``Authorship.full_name`` …);
existing persons are never changed.

Must run inside the caller's transaction (:func:`sangkien.imports.services.run_pass`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sangkien.accounts.models import User

from django.utils.translation import gettext as _

from sangkien.imports.checking import CleanRow
from sangkien.initiatives.bulk import NewInitiative, create_initiatives_bulk
from sangkien.initiatives.details import InitiativeDetails
from sangkien.initiatives.people import PersonResolver
from sangkien.initiatives.text_checks import text_checks
from sangkien.programmes.models import Phase, Programme
from sangkien.units.models import Unit


class BulkWriter:
    """Writes batches of :class:`CleanRow` for one import."""

    def __init__(self, *, programme: Programme, phase: Phase, actor: User | None, reason: str, scope: Unit) -> None:
        """``scope``: the import's unit; authors are matched to people inside its subtree."""
        self.programme = programme
        self.people = PersonResolver.for_unit(scope)
        self.phase = phase
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.reason = reason
        self.saved = 0

    def analyse(self, rows: list[CleanRow]) -> dict[int, object]:
        """Row number → the analysis of its text (no query: may run outside the write transaction)."""
        analysed = text_checks().analyse_many(
            programme_id=self.programme.pk, texts=[(row.details["title"], row.details["description"]) for row in rows])
        return {row.number: analysis for row, analysis in zip(rows, analysed, strict=True)}

    def write(self, rows: list[CleanRow], analysed: dict[int, object] | None = None) -> dict[int, str]:
        """Insert ``rows``; return row number → tracking code.

        ``analysed`` (from :meth:`analyse`, by row number) spares the text
        analysis inside the caller's transaction.
        """
        if not rows:
            return {}
        analysed = analysed or {}
        codes = create_initiatives_bulk(
            rows=[NewInitiative(unit_id=row.unit.pk, details=details_of(row), authors=row.authors,
                                analysed=analysed.get(row.number)) for row in rows],
            programme=self.programme, phase=self.phase, actor=self.actor, reason=self.reason, people=self.people)
        self.saved += len(rows)
        return {row.number: code for row, code in zip(rows, codes, strict=True)}


def details_of(row: CleanRow) -> InitiativeDetails:
    """The :class:`InitiativeDetails` of a checked row (``details["field"]`` is the field's pk)."""
    values = dict(row.details)
    values["field_id"] = values.pop("field")
    return InitiativeDetails(**values)


def history_reason(*, job_id: int, actor: User | None) -> str:
    """The history line of each imported initiative."""
    name = getattr(actor, "display_name", "") or _("lệnh quản trị")
    return _("Nhập từ tệp (lần nhập #%(job)s) bởi %(name)s") % {"job": job_id, "name": name}

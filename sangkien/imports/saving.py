"""The bulk-insert path: checked rows become initiatives, a batch at a time.

What :func:`sangkien.initiatives.services.submit_initiative` does for one
initiative entered on a member's behalf, done for a batch in a handful of
queries: ``entered_by`` is the officer, ``submitted_by`` empty, status
submitted, a tracking code from
:func:`sangkien.initiatives.models.new_tracking_code`, one history entry.
People are matched by :func:`sangkien.initiatives.people.match_people`,
the rule the web form uses, with the import unit's subtree as the circle
(a verified account's phone, else an earlier authorship in the subtree with
the same phone / e-mail / — no contact — name; else a new person); within
one import the same person is one participant however many rows name them.
Each authorship keeps what its row said (``Authorship.full_name`` …);
existing persons are never changed.

Must run inside the caller's transaction (:func:`sangkien.imports.services.run_pass`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.duplicates.exact import author_key
from sangkien.duplicates.index import Analysis, analyse, index_analysed
from sangkien.imports.checking import CleanRow
from sangkien.initiatives.models import (
    Authorship,
    Initiative,
    Person,
    Status,
    StatusChange,
    new_tracking_code,
)
from sangkien.initiatives.people import Circle, aliases, identity, match_people, snapshot
from sangkien.initiatives.services import AuthorData
from sangkien.programmes.models import Phase, Programme
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

_PREPARED = (models.DateField, models.DateTimeField, models.DecimalField, models.JSONField, models.UUIDField)


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """``INSERT`` ``rows`` (column attname → value) with one ``executemany``.

    ``bulk_create`` compiles SQL for every value of every object, which is
    most of the cost of a large import; this writes the same rows, with every
    concrete field of the model (a field missing from a row gets its
    default), dates and times prepared by the database backend like the ORM
    does.  No signals, no primary keys returned.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # Names come from the model's metadata (quoted); every value is a parameter.
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    prepared = [isinstance(f, _PREPARED) for f in fields]
    params = []
    for row in rows:
        values = []
        for f, prep in zip(fields, prepared, strict=True):
            value = row[f.attname] if f.attname in row else defaults[f.attname]
            values.append(f.get_db_prep_save(value, connection) if prep and value is not None else value)
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class BulkWriter:
    """Writes batches of :class:`CleanRow` for one import."""

    def __init__(self, *, programme: Programme, phase: Phase, actor: User | None, reason: str, scope: Unit) -> None:
        """``scope``: the import's unit; authors are matched to people inside its subtree."""
        self.programme = programme
        self.circle = Circle(unit_path=scope.path)
        self.phase = phase
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.reason = reason
        self.people: dict[str, int] = {}  # identity key → Person pk, for the whole import
        self.saved = 0

    def analyse(self, rows: list[CleanRow]) -> dict[int, Analysis]:
        """Row number → the analysis of its text (no query: may run outside the write transaction)."""
        return {row.number: analyse(self.programme.pk, row.details["title"], row.details["description"])
                for row in rows}

    def write(self, rows: list[CleanRow], analysed: dict[int, Analysis] | None = None) -> dict[int, str]:
        """Insert ``rows``; return row number → tracking code.

        ``analysed`` (from :meth:`analyse`, by row number) spares the text
        analysis inside the caller's transaction.
        """
        if not rows:
            return {}
        if analysed is None:
            analysed = self.analyse(rows)
        person_ids = self._people([a for r in rows for a in r.authors])
        codes = self._codes(len(rows))
        at = now()
        base = {"programme_id": self.programme.pk, "phase_id": self.phase.pk, "unit_unlisted": False,
                "submitted_by_id": None, "entered_by_id": self.actor.pk if self.actor else None,
                "submitted_at": at, "updated_at": at, "status": Status.SUBMITTED, "submission_token": None}
        insert_rows(Initiative, [
            base | {k: v for k, v in row.details.items() if k != "field"}
            | {"field_id": row.details["field"], "unit_id": row.unit.pk, "tracking_code": code}
            for row, code in zip(rows, codes, strict=True)
        ])
        ids = dict(Initiative.objects.filter(tracking_code__in=codes).values_list("tracking_code", "pk"))
        authorships = []
        author_keys: dict[int, str] = {}  # initiative pk → its main author's key, as typed
        for row, code in zip(rows, codes, strict=True):
            placed: set[int] = set()
            author_keys[ids[code]] = author_key(submitted_by_id=None, phone=row.authors[0].phone,
                                                email=row.authors[0].email)
            for position, author in enumerate(row.authors):
                pk = person_ids[identity(author)]
                if pk in placed:  # the same person twice on one initiative
                    continue
                placed.add(pk)
                authorships.append({"initiative_id": ids[code], "person_id": pk, "position": position,
                                    **snapshot(author)})
        insert_rows(Authorship, authorships)
        insert_rows(StatusChange, [
            {"initiative_id": ids[code], "at": at, "actor_id": base["entered_by_id"], "from_status": "",
             "to_status": Status.SUBMITTED, "reason": self.reason}
            for code in codes
        ])
        # Imported initiatives join the near-duplicate index, and claim their exact
        # text for their main author (sangkien.duplicates.exact), in the same transaction.
        index_analysed([(ids[code], self.programme.pk, analysed[row.number]) for row, code in zip(rows, codes, strict=True)],
                       author_keys=author_keys)
        self.saved += len(rows)
        return {row.number: code for row, code in zip(rows, codes, strict=True)}

    # -- tracking codes ------------------------------------------------------
    def _codes(self, n: int) -> list[str]:
        """``n`` new tracking codes, unique in the batch and in the database."""
        codes: set[str] = set()
        while len(codes) < n:
            wanted = {new_tracking_code() for _i in range(n - len(codes))}
            wanted -= set(Initiative.objects.filter(tracking_code__in=wanted).values_list("tracking_code", flat=True))
            codes |= wanted
        return list(codes)

    # -- participants --------------------------------------------------------
    def _people(self, authors: list[AuthorData]) -> dict[str, int]:
        """Identity key of each author → Person pk (found or created)."""
        todo = [a for a in authors if identity(a) not in self.people]
        if todo:
            self.people.update(match_people(todo, circle=self.circle))
            new: dict[str, Person] = {}
            for author in todo:
                key = identity(author)
                if key in self.people or key in new:
                    continue
                new[key] = Person(**snapshot(author))
            if new:
                Person.objects.bulk_create(list(new.values()))
                for key, person in new.items():
                    self.people[key] = person.pk
            for author in todo:  # an author found by e-mail is also known by phone from now on
                pk = self.people[identity(author)]
                for alias in aliases(author):
                    self.people.setdefault(alias, pk)
        return {identity(a): self.people[identity(a)] for a in authors}


def history_reason(*, job_id: int, actor: User | None) -> str:
    """The history line of each imported initiative."""
    name = getattr(actor, "display_name", "") or _("lệnh quản trị")
    return _("Nhập từ tệp (lần nhập #%(job)s) bởi %(name)s") % {"job": job_id, "name": name}

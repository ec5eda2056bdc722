"""The bulk-insert path: checked rows become initiatives, a batch at a time.

What :func:`sangkien.initiatives.services.submit_initiative` does for one
initiative entered on a member's behalf, done for a batch in a handful of
queries: ``entered_by`` is the officer, ``submitted_by`` empty, status
submitted, a tracking code from
:func:`sangkien.initiatives.models.new_tracking_code`, one history entry.
People are matched like ``services._person_for`` (phone, then e-mail, then
— for a co-author with no contact — the name among people the same officer
entered before); within one import the same person is one participant
however many rows name them.

Must run inside the caller's transaction (:func:`sangkien.imports.services.run_pass`).
"""

from __future__ import annotations

from typing import Any

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
from sangkien.initiatives.services import AuthorData
from sangkien.programmes.models import Phase, Programme

PERSON_FIELDS = ("job", "workplace", "email", "phone")
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

    def __init__(self, *, programme: Programme, phase: Phase, actor: Any, reason: str) -> None:
        self.programme = programme
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
        main_person: dict[int, int] = {}  # initiative pk → main author's Person pk
        for row, code in zip(rows, codes, strict=True):
            placed: set[int] = set()
            main_person[ids[code]] = person_ids[_identity(row.authors[0])]
            for position, author in enumerate(row.authors):
                pk = person_ids[_identity(author)]
                if pk in placed:  # the same person twice on one initiative
                    continue
                placed.add(pk)
                authorships.append({"initiative_id": ids[code], "person_id": pk, "position": position})
        insert_rows(Authorship, authorships)
        insert_rows(StatusChange, [
            {"initiative_id": ids[code], "at": at, "actor_id": base["entered_by_id"], "from_status": "",
             "to_status": Status.SUBMITTED, "reason": self.reason}
            for code in codes
        ])
        # Imported initiatives join the near-duplicate index, and claim their exact
        # text for their main author (sangkien.duplicates.exact), in the same transaction.
        contacts = {pk: (phone, email) for pk, phone, email in
                    Person.objects.filter(pk__in=set(main_person.values())).values_list("pk", "phone", "email")}
        author_keys = {initiative: author_key(submitted_by_id=None, phone=contacts[person][0],
                                              email=contacts[person][1])
                       for initiative, person in main_person.items()}
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
        todo = [a for a in authors if _identity(a) not in self.people]
        if todo:
            self._find_existing(todo)
            new: dict[str, Person] = {}
            for author in todo:
                key = _identity(author)
                if key in self.people or key in new:
                    continue
                new[key] = Person(full_name=author.full_name, phone=author.phone, email=author.email,
                                  job=author.job, workplace=author.workplace)
            if new:
                Person.objects.bulk_create(list(new.values()))
                for key, person in new.items():
                    self.people[key] = person.pk
            for author in todo:  # an author found by e-mail is also known by phone from now on
                pk = self.people[_identity(author)]
                for alias in _aliases(author):
                    self.people.setdefault(alias, pk)
        return {_identity(a): self.people[_identity(a)] for a in authors}

    def _find_existing(self, authors: list[AuthorData]) -> None:
        phones = {a.phone for a in authors if a.phone}
        by_phone: dict[str, Person] = {}
        if phones:
            for person in Person.objects.filter(phone__in=phones).order_by("pk"):
                by_phone.setdefault(person.phone, person)
        emails = {a.email.lower() for a in authors if a.email and a.phone not in by_phone}
        by_email: dict[str, Person] = {}
        if emails:
            for person in Person.objects.filter(email__in=emails | {e.upper() for e in emails}).order_by("pk"):
                by_email.setdefault(person.email.lower(), person)
        names = {a.full_name for a in authors if not a.phone and not a.email}
        by_name: dict[str, Person] = {}
        if names and self.actor is not None:
            # People first, then their authorships: never a scan of every initiative.
            candidates = dict(Person.objects.filter(full_name__in=names).values_list("pk", "full_name"))
            links = list(Authorship.objects.filter(person_id__in=list(candidates)).order_by()
                         .values_list("person_id", "initiative_id")) if candidates else []
            theirs = set(Initiative.objects.filter(pk__in={i for _p, i in links}, entered_by=self.actor)
                         .values_list("pk", flat=True)) if links else set()
            entered = {p for p, i in links if i in theirs}
            for person in Person.objects.filter(pk__in=sorted(entered)).order_by("pk"):
                by_name.setdefault(person.full_name, person)
        changed: dict[int, Person] = {}
        for author in authors:
            person = (by_phone.get(author.phone) if author.phone else None) \
                or (by_email.get(author.email.lower()) if author.email else None) \
                or (by_name.get(author.full_name) if not author.phone and not author.email else None)
            if person is None:
                continue
            self.people[_identity(author)] = person.pk
            for name in PERSON_FIELDS:  # fill what was blank, like services._person_for
                value = getattr(author, name)
                if value and not getattr(person, name):
                    setattr(person, name, value)
                    changed[person.pk] = person
        if changed:
            Person.objects.bulk_update(list(changed.values()), list(PERSON_FIELDS))


def _identity(author: AuthorData) -> str:
    if author.phone:
        return "p:" + author.phone
    if author.email:
        return "e:" + author.email.lower()
    return "n:" + author.full_name


def _aliases(author: AuthorData) -> list[str]:
    keys = []
    if author.phone:
        keys.append("p:" + author.phone)
    if author.email:
        keys.append("e:" + author.email.lower())
    return keys


def history_reason(*, job_id: int, actor: Any) -> str:
    """The history line of each imported initiative."""
    name = getattr(actor, "display_name", "") or _("lệnh quản trị")
    return _("Nhập từ tệp (lần nhập #%(job)s) bởi %(name)s") % {"job": job_id, "name": name}

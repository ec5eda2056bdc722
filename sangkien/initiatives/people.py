"""Who a typed author is: the one rule linking an author to a participant (issue 9 item 1).

A participant (:class:`~sangkien.initiatives.models.Person`) is what the
reports count; an author typed on a form or in an import file is linked to
an existing participant only with proof, never by a phone or e-mail that
happens to be stored somewhere else in the country:

1. the main author submitting for themself is their own account's person
   (:func:`sangkien.initiatives.services.submit_initiative`);
2. any other author typed with a phone that an account has **verified**
   (one-time SMS code, ``User.is_phone_verified``) is that account's person;
3. else the person of an earlier authorship **inside the circle** typed
   with the same phone, else the same e-mail, else — typed with neither —
   the same name.  The circle is, on the web, the initiatives entered by
   the same actor (a member's own submissions, an officer's entries on
   members' behalf), so the same co-author typed twice by one member is one
   participant; for an import — an officer's explicit act inside their
   scope — the initiatives attached to the import unit's subtree;
4. else a new person with what was typed.

Nothing of an existing person is changed by what someone else typed, and
nothing of it is shown: every page and export shows the authorship's own
snapshot (``Authorship.full_name`` …).  The web form and the import use
the same :class:`PersonResolver` (one author at a time, or a batch), built
on the set-based :func:`match_people`.  Documented in docs/privacy.md,
"Participants and co-authors".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from sangkien.core.bulk import datetime_adapter, insert_returning_pks, rows_in
from sangkien.initiatives.models import Authorship, Initiative, Person
from sangkien.units.models import Unit

if TYPE_CHECKING:

    from sangkien.accounts.models import User
    from sangkien.initiatives.details import AuthorData

#: The columns of a person made from a typed author (:func:`snapshot`'s keys, then the account).
_NEW_PERSON_FIELDS = ("full_name", "phone", "email", "job", "workplace", "user")


@dataclass(frozen=True)
class Circle:
    """The earlier entries that count as proof that two typed authors are one person.

    ``entered_by_id``: initiatives entered by that user (the web);
    ``unit_path``: initiatives attached to that unit's subtree (an import).
    Both empty: no earlier entry counts (only verified accounts match).
    """

    entered_by_id: int | None = None
    unit_path: str | None = None

    def keep(self, initiative_ids: set[int]) -> set[int]:
        """The ids among ``initiative_ids`` that are inside the circle (indexed look-ups by pk)."""
        if self.entered_by_id is None and self.unit_path is None:
            return set()
        # Statements written by rows_in (the ORM prepares each of an import chunk's keys on its own;
        # issue 12, round 5): the initiatives by key, then — for a unit's circle — their units' paths.
        equal = {} if self.entered_by_id is None else {"entered_by": self.entered_by_id}
        found = rows_in(Initiative, ("id", "unit"), "id", sorted(initiative_ids), **equal)
        if self.unit_path is None:
            return {pk for pk, _unit in found}
        prefix = self.unit_path
        units = sorted({unit for _pk, unit in found if unit is not None})
        inside = {pk for pk, path in rows_in(Unit, ("id", "path"), "id", units) if path.startswith(prefix)}
        return {pk for pk, unit in found if unit in inside}



def identity(author: AuthorData) -> str:
    """The key one typed author is known by: ``p:<phone>``, else ``e:<email>``, else ``n:<name>``."""
    if author.phone:
        return "p:" + author.phone
    if author.email:
        return "e:" + author.email.lower()
    return "n:" + author.full_name


def aliases(author: AuthorData) -> list[str]:
    """Every contact key of ``author`` (phone and e-mail), for an import's memory of who is who."""
    keys = []
    if author.phone:
        keys.append("p:" + author.phone)
    if author.email:
        keys.append("e:" + author.email.lower())
    return keys


def snapshot(author: AuthorData) -> dict[str, str]:
    """What an :class:`Authorship` keeps of ``author``: the five typed fields, cut to their column sizes."""
    return {"full_name": author.full_name[:150], "phone": author.phone[:16], "email": author.email[:254],
            "job": author.job[:150], "workplace": author.workplace[:255]}


def match_people(authors: Iterable[AuthorData], *, circle: Circle) -> dict[str, int]:
    """Identity key (:func:`identity`) → pk of the existing person each author is.

    Steps 2 and 3 of the module's rule; authors that match nobody are left
    out (the caller creates their persons from what was typed).  Reads a
    handful of indexed queries whatever the number of authors.  The only
    write: a verified account that has no person yet gets one, made from the
    account (name, phone, e-mail), never from what was typed.
    """
    authors = list(authors)
    phones = {a.phone for a in authors if a.phone}
    by_phone = _verified_accounts(phones)
    rest = phones - by_phone.keys()
    if rest:
        by_phone |= _in_circle(rest, "phone", circle)
    emails = {a.email.lower() for a in authors if a.email and by_phone.get(a.phone) is None}
    by_email: dict[str, int] = {}
    if emails:
        by_email = _in_circle(emails | {e.upper() for e in emails}, "email", circle)
    names = {a.full_name for a in authors if not a.phone and not a.email and a.full_name}
    by_name = _in_circle(names, "full_name", circle) if names else {}
    found: dict[str, int] = {}
    for author in authors:
        pk = (by_phone.get(author.phone) if author.phone else None) \
            or (by_email.get(author.email.lower()) if author.email else None) \
            or (by_name.get(author.full_name) if not author.phone and not author.email else None)
        if pk is not None:
            found[identity(author)] = pk
    return found


class PersonResolver:
    """The participant each typed author is, by the module's rule; one per submission or per import.

    ``circle`` is the proof of step 3 (:meth:`for_actor` on the web,
    :meth:`for_unit` for an import).  The resolver remembers who is who
    across calls: within one import (or one form) the same person typed on
    several rows is one participant, and an author found by e-mail is
    known by their phone too from then on.  Persons it creates are made
    from what was typed (:func:`snapshot`); existing persons are never
    changed, except the member's own by :meth:`own`.
    """

    def __init__(self, *, circle: Circle) -> None:
        self.circle = circle
        self.known: dict[str, int] = {}  # identity or alias key → Person pk
        self._made: dict[int, tuple[dict[str, str], Any]] = {}  # pk → (snapshot, created_at) made by the last call

    @classmethod
    def for_actor(cls, actor: User) -> PersonResolver:
        """The web's resolver: the circle is the initiatives ``actor`` entered."""
        return cls(circle=Circle(entered_by_id=actor.pk))

    @classmethod
    def for_unit(cls, unit: Unit) -> PersonResolver:
        """An import's resolver: the circle is the initiatives of ``unit``'s subtree."""
        return cls(circle=Circle(unit_path=unit.path))

    def own(self, user: User, author: AuthorData) -> Person:
        """Step 1: the member's own person, updated with what they typed (older initiatives keep their snapshot).

        The returned person has its pk; its ``created_at`` is not read back (an existing person keeps its own).
        """
        values = {"full_name": author.full_name, "phone": author.phone or (user.phone or ""),
                  "email": author.email or user.email or "", "job": author.job, "workplace": author.workplace}
        # One upsert on the person's unique user: a member's first submission sent from two tabs at
        # once makes one person (the second insert waits for the first and then updates it), and no
        # SELECT + SAVEPOINT + INSERT (or SELECT + UPDATE) on every submission.
        person = Person(user=user, **values)
        Person.objects.bulk_create([person], update_conflicts=True, unique_fields=["user"],
                                   update_fields=list(values))
        return person

    def person(self, author: AuthorData) -> Person:
        """Steps 2–4 for one author (a co-author, or an author entered on someone's behalf)."""
        pk = self.resolve([author])[identity(author)]
        made = self._made.get(pk)
        if made is None:
            return Person.objects.get(pk=pk)
        values, at = made
        person = Person(pk=pk, user=None, created_at=at, **values)
        person._state.adding = False  # as bulk_create leaves it: saved, in this database
        person._state.db = Person.objects.db
        return person

    def resolve(self, authors: list[AuthorData]) -> dict[str, int]:
        """Identity key (:func:`identity`) of each author → Person pk, found or created.

        One :func:`match_people` and one multi-row insert
        (:func:`~sangkien.core.bulk.insert_returning_pks`) for the authors not met before, whatever
        their number.
        """
        keys = [identity(a) for a in authors]
        todo = [a for a, key in zip(authors, keys, strict=True) if key not in self.known]
        self._made = {}
        if todo:
            self.known.update(match_people(todo, circle=self.circle))
            new: dict[str, dict[str, str]] = {}
            for author in todo:
                key = identity(author)
                if key in self.known or key in new:
                    continue
                new[key] = snapshot(author)
            if new:
                at = Person._meta.get_field("created_at").get_default()
                created = datetime_adapter()(at)  # once: the same moment for every person of the call
                pks = insert_returning_pks(
                    Person, (*_NEW_PERSON_FIELDS, "created_at"),
                    [(*values.values(), None, created) for values in new.values()])
                for (key, values), pk in zip(new.items(), pks, strict=True):
                    self.known[key] = pk
                    self._made[pk] = (values, at)
            for author in todo:  # an author found by e-mail is also known by phone from now on
                pk = self.known[identity(author)]
                for alias in aliases(author):
                    self.known.setdefault(alias, pk)
        return {key: self.known[key] for key in keys}


def _verified_accounts(phones: set[str]) -> dict[str, int]:
    """Phone → person pk of the account that verified that phone (creating the person if missing)."""
    if not phones:
        return {}
    model = get_user_model()
    verified = [pk for pk, at in rows_in(model, ("id", "phone_verified_at"), "phone", phones) if at is not None]
    users = {u.pk: u for u in model.objects.filter(pk__in=verified)} if verified else {}
    if not users:
        return {}
    persons = dict(Person.objects.filter(user_id__in=list(users)).values_list("user_id", "pk"))
    for pk, user in users.items():
        if pk not in persons:
            persons[pk] = Person.objects.get_or_create(user=user, defaults={  # a savepoint: safe in a race
                "full_name": (user.get_full_name() or user.display_name)[:150], "phone": user.phone,
                "email": user.email or ""})[0].pk
    return {user.phone: persons[pk] for pk, user in users.items()}  # type: ignore[misc]  # filtered on phone


def _in_circle(values: set[str], field: str, circle: Circle) -> dict[str, int]:
    """Value of ``field`` (e-mails lower-cased) → the lowest person pk among the authorships whose
    ``field`` is one of ``values``, inside ``circle``.

    Two indexed look-ups, no join (the authorships by the typed value, then
    their initiatives by pk): a join lets SQLite's planner start from every
    initiative of the circle.
    """
    links = rows_in(Authorship, (field, "person", "initiative"), field, values)
    if not links:
        return {}
    inside = circle.keep({i for _v, _p, i in links})
    found: dict[str, int] = {}
    for value, person_id, initiative_id in links:
        if initiative_id not in inside:
            continue
        key = value.lower() if field == "email" else value
        if key not in found or person_id < found[key]:
            found[key] = person_id
    return found

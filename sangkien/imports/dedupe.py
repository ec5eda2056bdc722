"""Duplicates: inside the file, and against initiatives already saved.

A row is the same initiative as another when its main author is the same
person (same phone, else same e-mail, else — with no contact details —
same name) and its title is the same once accents, case, punctuation and
spaces are ignored (:func:`sangkien.imports.checking.title_key`).

- A second row of the same file with the same author and title is an
  error: the officer typed it twice.
- A row whose initiative is already saved in the programme (by an earlier
  import, a re-upload of the same or a corrected file, or the member's own
  submission) is not saved again: it is reported as "already saved" with
  the tracking code, and is not an error — so a corrected copy of a file
  half of which was saved goes through.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sangkien.imports.checking import CellError, CleanRow, title_key
from sangkien.initiatives.models import Authorship, Initiative, Person
from sangkien.programmes.models import Programme
from sangkien.units.models import Unit


class Deduplicator:
    """Remembers the rows seen in one pass over a file."""

    def __init__(self, *, programme: Programme, scope: Unit) -> None:
        self.programme = programme
        self.scope = scope
        self.seen: dict[tuple[str, str], int] = {}

    def in_file(self, row: CleanRow) -> CellError | None:
        """An error when an earlier row of the file is the same initiative; else remember ``row``."""
        first = None
        for identity in row.identities:
            first = self.seen.get((identity, row.title_key))
            if first is not None:
                break
        if first is not None:
            return CellError("title", _("Trùng với dòng %(row)s trong tệp (cùng tác giả, cùng tên sáng kiến).")
                             % {"row": first})
        for identity in row.identities:
            self.seen[(identity, row.title_key)] = row.number
        return None

    def existing(self, rows: list[CleanRow]) -> dict[int, str]:
        """Row number → tracking code of the saved initiative each row repeats.

        People first (by the phone index; e-mails and names scan the people
        table), then their authorships by ``person_id``: the cost of a batch
        does not grow with the number of initiatives in the programme.
        """
        phones = {i[2:] for r in rows for i in r.identities if i.startswith("p:")}
        emails = {i[2:] for r in rows for i in r.identities if i.startswith("e:")}
        names = {i[2:] for r in rows for i in r.identities if i.startswith("n:")}
        keys: dict[int, list[str]] = {}  # person pk → identity keys
        if phones:
            for pk, phone in Person.objects.filter(phone__in=phones).values_list("pk", "phone"):
                keys.setdefault(pk, []).append("p:" + phone)
        if emails:
            variants = emails | {e.upper() for e in emails}
            for pk, email in Person.objects.filter(email__in=variants).values_list("pk", "email"):
                keys.setdefault(pk, []).append("e:" + email.lower())
        named: set[int] = set()
        if names:
            for pk, name in Person.objects.filter(full_name__in=names).values_list("pk", "full_name"):
                keys.setdefault(pk, []).append("n:" + name)
                named.add(pk)
        if not keys:
            return {}
        # Two indexed look-ups, no join: joined, SQLite's planner starts from every
        # initiative of the programme, and a batch then costs O(initiatives).
        by_initiative: dict[int, list[int]] = {}
        for person_id, initiative_id in (Authorship.objects.filter(person_id__in=list(keys)).order_by()
                                         .values_list("person_id", "initiative_id")):
            by_initiative.setdefault(initiative_id, []).append(person_id)
        saved: dict[tuple[str, str], str] = {}
        initiatives = (Initiative.objects.filter(pk__in=list(by_initiative), programme=self.programme).order_by()
                       .values_list("pk", "title", "tracking_code", "unit__path"))
        pairs = ((person, title, code, path) for pk, title, code, path in initiatives for person in by_initiative[pk])
        for pk, title, code, unit_path in pairs:
            for key in keys[pk]:
                if key.startswith("n:") and not unit_path.startswith(self.scope.path):
                    continue  # a name alone identifies people only inside the officer's subtree
                saved.setdefault((key, title_key(title)), code)
        found: dict[int, str] = {}
        for row in rows:
            for identity in row.identities:
                code = saved.get((identity, row.title_key))
                if code:
                    found[row.number] = code
                    break
        return found

"""Duplicates: inside the file, and against initiatives already saved.

A row is the same initiative as another when one of its authors was typed
with the same phone, else the same e-mail, else — with no contact details —
the same name, and its title is the same once accents, case, punctuation and
spaces are ignored (:func:`sangkien.imports.checking.title_key`).

- A second row of the same file with the same author and title is an
  error: the officer typed it twice.
- A row whose initiative is already saved in the programme inside the
  import unit's subtree (by an earlier
  import, a re-upload of the same or a corrected file, or the member's own
  submission) is not saved again: it is reported as "already saved" with
  the tracking code, and is not an error — so a corrected copy of a file
  half of which was saved goes through.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sangkien.core.bulk import rows_in
from sangkien.imports.checking import CellError, CleanRow, title_key
from sangkien.initiatives.models import Authorship, Initiative
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

        Only initiatives in the import unit's subtree (the officer's scope) are
        looked at, and their authors as typed on each initiative (the
        authorship snapshot), never another unit's people: the report must not
        reveal that a phone number sent an initiative elsewhere (issue 9 item 1).
        Authorships first (by the indexed snapshot columns), then their
        initiatives by primary key: the cost of a batch does not grow with the
        number of initiatives in the programme.
        """
        wanted: dict[str, set[str]] = {"p": set(), "e": set(), "n": set()}
        for row in rows:
            for identity in row.identities:
                wanted[identity[0]].add(identity[2:])
        by_initiative: dict[int, set[str]] = {}  # initiative pk → identity keys of its authors
        lookups = (("p", "phone", wanted["p"]), ("e", "email", wanted["e"] | {e.upper() for e in wanted["e"]}),
                   ("n", "full_name", wanted["n"]))
        for prefix, column, values in lookups:
            if not values:
                continue
            # Two indexed look-ups, no join: joined, SQLite's planner starts from every
            # initiative of the programme, and a batch then costs O(initiatives).
            for initiative_id, value in rows_in(Authorship, ("initiative", column), column, values):
                value = value.lower() if prefix == "e" else value
                by_initiative.setdefault(initiative_id, set()).add(f"{prefix}:{value}")
        if not by_initiative:
            return {}
        saved: dict[tuple[str, str], str] = {}
        initiatives = (Initiative.objects.in_subtree(self.scope)
                       .filter(pk__in=list(by_initiative), programme=self.programme).order_by()
                       .values_list("pk", "title", "tracking_code"))
        for pk, title, code in initiatives:
            key_of_title = title_key(title)
            for key in by_initiative[pk]:
                saved.setdefault((key, key_of_title), code)
        found: dict[int, str] = {}
        for row in rows:
            for identity in row.identities:
                code = saved.get((identity, row.title_key))  # type: ignore[assignment]  # str | None here
                if code:
                    found[row.number] = code
                    break
        return found

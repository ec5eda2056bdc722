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

import functools

from django.utils.translation import gettext as _

from sangkien.core.bulk import rows_in
from sangkien.imports.checking import CellError, CleanRow, title_key
from sangkien.initiatives.models import Authorship, Initiative
from sangkien.programmes.models import Programme
from sangkien.units.models import Unit

#: Titles of saved initiatives whose :func:`title_key` one pass remembers (an author of several rows
#: brings their saved initiatives back on every chunk that names them).
MAX_REMEMBERED_TITLES = 200_000


class Deduplicator:
    """Remembers the rows seen in one pass over a file."""

    def __init__(self, *, programme: Programme, scope: Unit) -> None:
        self.programme = programme
        self.scope = scope
        self.seen: dict[tuple[str, str], int] = {}
        # title of a saved initiative → its title_key: an author's saved initiatives come back on every chunk
        self._title_key = functools.lru_cache(maxsize=MAX_REMEMBERED_TITLES)(title_key)

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
        for pk, title, code in self._in_scope(sorted(by_initiative)):
            key_of_title = self._title_key(title)
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

    def _in_scope(self, ids: list[int]) -> list[tuple[int, str, str]]:
        """``(pk, title, tracking_code)`` of the initiatives among ``ids`` that are of the programme and
        attached to a unit of the scope's subtree (``Initiative.objects.in_subtree``: the unit's path
        starts with the scope's).

        Statements written by :func:`~sangkien.core.bulk.rows_in` — the initiatives by primary key,
        then their units' paths — rather than the ORM's join, which prepares each of a chunk's
        thousand or more keys on its own (issue 12, round 5: an author of several rows brings their
        saved initiatives back on every chunk that names them).
        """
        found = rows_in(Initiative, ("id", "title", "tracking_code", "unit"), "id", ids, programme=self.programme.pk)
        if not found:
            return []
        found.sort()  # by primary key: the oldest first, whatever order the database gave
        prefix = self.scope.path
        units = sorted({unit_id for _pk, _title, _code, unit_id in found})
        inside = {pk for pk, path in rows_in(Unit, ("id", "path"), "id", units) if path.startswith(prefix)}
        return [(pk, title, code) for pk, title, code, unit_id in found if unit_id in inside]


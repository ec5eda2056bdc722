"""The checked rows of an import, kept between the preview and the save.

The check pass writes one JSON line per data row — the cleaned values of a
valid row, or the error text of a bad one — so that the save pass does not
read and check the spreadsheet a second time: it re-checks only what the
database may have changed since (rows saved meanwhile, units retired) and
inserts.  Lines are in file order; the file lives next to the upload under
``MEDIA_ROOT/imports/`` and is read as a stream (bounded memory).

Line shapes::

    {"n": 7, "e": "Số điện thoại: …"}
    {"n": 8, "u": [unit_pk, code, name, path], "a": [[name, phone, email, job, workplace], …],
     "d": {details, dates as ISO strings}, "t": title_key, "i": [identities…]}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

from sangkien.imports.checking import CleanRow, UnitRef
from sangkien.initiatives.details import AuthorData

_DATES = ("recognised_on", "applied_from", "applied_to")
#: ``json.dumps(…, ensure_ascii=False)`` without building an encoder for every line (the same text).
_encode = json.JSONEncoder(ensure_ascii=False).encode


class StagedWriter:
    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh

    def valid(self, row: CleanRow) -> None:
        details = dict(row.details)
        for key in _DATES:
            if details[key] is not None:
                details[key] = details[key].isoformat()
        self.fh.write(_encode({
            "n": row.number, "u": [row.unit.pk, row.unit.code, row.unit.name, row.unit.path],
            "a": [[a.full_name, a.phone, a.email, a.job, a.workplace] for a in row.authors],
            "d": details, "t": row.title_key, "i": list(row.identities),
        }) + "\n")

    def invalid(self, number: int, text: str) -> None:
        self.fh.write(_encode({"n": number, "e": text}) + "\n")


def read_staged(path: str | Path) -> Generator[tuple[int, CleanRow | None, str]]:
    """``(row number, clean row or None, error text)`` for every staged line, in file order."""
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            data: dict[str, Any] = json.loads(line)
            if "e" in data:
                yield data["n"], None, data["e"]
                continue
            details = data["d"]
            for key in _DATES:
                if details[key] is not None:
                    details[key] = dt.date.fromisoformat(details[key])
            pk, code, name, unit_path = data["u"]
            row = CleanRow(number=data["n"], unit=UnitRef(pk, code, name, unit_path, True, False),
                           authors=[AuthorData(*a) for a in data["a"]], details=details,
                           title_key=data["t"], identities=tuple(data["i"]))
            yield row.number, row, ""

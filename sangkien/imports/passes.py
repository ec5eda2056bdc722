"""The three passes of an import, each streaming in bounded memory.

- :func:`run_check` reads the spreadsheet, checks every row, finds
  duplicates, and writes the result workbook (errors column) and the staged
  rows (:mod:`sangkien.imports.staging`).
- :func:`run_save` reads the staged rows, re-checks what the database may
  have changed since the preview, and inserts batches through
  :class:`~sangkien.imports.saving.BulkWriter`; the caller holds the
  transaction, or gives one per chunk (SQLite, issue 9 item 6).
- :func:`write_result` writes the result workbook again once saved, with the
  tracking code of every row saved or already there.
"""

from __future__ import annotations

import gc
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sangkien.imports import progress
from sangkien.imports.checking import CellError, CleanRow, RowChecker
from sangkien.imports.columns import BY_KEY
from sangkien.imports.dedupe import Deduplicator
from sangkien.imports.holds import NewAuthors
from sangkien.imports.models import ImportJob, SaveMode
from sangkien.imports.reading import open_table
from sangkien.imports.saving import BulkWriter
from sangkien.imports.staging import StagedWriter, read_staged
from sangkien.imports.workbook import ResultWriter

BATCH_ROWS = 1000
MAX_REPORTED_ERRORS = 5000
MAX_REPORTED_EXISTING = 5000
SAMPLE_ROWS = 10


@dataclass
class PassResult:
    """What a pass found: counts, errors by row, rows already saved, codes of rows saved."""

    rows: int = 0
    valid: int = 0
    errors: dict[int, list[CellError]] = field(default_factory=dict)
    existing: dict[int, str] = field(default_factory=dict)
    saved: dict[int, str] = field(default_factory=dict)
    sample: list[dict[str, Any]] = field(default_factory=list)
    understood: list[dict[str, str]] = field(default_factory=list)  # unit names found loosely (issue 11)
    new_authors: NewAuthors = field(default_factory=NewAuthors)  # of the rows to save (check pass)

    @property
    def invalid(self) -> int:
        return len(self.errors)

    def report(self) -> dict[str, Any]:
        errors = [{"row": n, "cells": [e.as_dict() for e in cells]}
                  for n, cells in sorted(self.errors.items())[:MAX_REPORTED_ERRORS]]
        existing = [{"row": n, "code": c} for n, c in sorted(self.existing.items())[:MAX_REPORTED_EXISTING]]
        return {"errors": errors, "errors_truncated": len(self.errors) > MAX_REPORTED_ERRORS,
                "existing": existing, "sample": self.sample, "understood": self.understood}


def describe_errors(cells: list[CellError]) -> str:
    """``"Số điện thoại: …; Tên sáng kiến: …"`` for the errors column and reports."""
    parts = []
    for error in cells:
        column = BY_KEY.get(error.column)
        parts.append(f"{column.title()}: {error.message}" if column else error.message)
    return "; ".join(parts)


def existing_note(code: str) -> str:
    return _("Đã có trong hệ thống (mã %(code)s): không nhập lại.") % {"code": code}


_frozen = {"passes": 0}
_frozen_lock = threading.Lock()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """While inside, the objects alive on entry are left out of the garbage collector's passes
    (``gc.freeze``), and given back on leaving (``gc.unfreeze``), also on an error.

    A pass keeps thousands of rows alive across a batch, which pushes them into the collector's
    oldest generation and sets off a full collection every few thousand rows — each walking the
    whole process (Django, its apps, numpy): 2.9 s of CPU in the check and save of 100,000 rows,
    0.4 s frozen (issue 12, round 5).  One full collection on entry frees the garbage waiting for one first (frozen, it
    would stay until the pass ends).
    Passes running at once in threads share one freeze: the last to leave unfreezes.
    """
    with _frozen_lock:
        _frozen["passes"] += 1
        if _frozen["passes"] == 1:
            gc.collect()  # the garbage waiting for a collection is freed first, not frozen with the rest
            gc.freeze()
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen["passes"] -= 1
            if not _frozen["passes"]:
                gc.unfreeze()


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _result_writer(job: ImportJob, path: Path, table: Any) -> tuple[Any, ResultWriter]:
    fh = path.open("w", encoding="utf-8", newline="") if job.file_format == "csv" else path.open("wb")
    return fh, ResultWriter(fh, file_format=job.file_format, table=table, programme=job.programme,
                            phase=job.phase, scope=job.unit)


@heap_frozen()
def run_check(job: ImportJob, *, result_path: Path, staged_path: Path) -> PassResult:
    """Check every row of ``job``'s file; write the result workbook and the staged rows.

    :raises FileRefused: the file cannot be read as a whole.
    """
    table = open_table(job.file.path, job.file_format)
    result = PassResult()
    checker = RowChecker(scope=job.unit, phase=job.phase)
    dedupe = Deduplicator(programme=job.programme, scope=job.unit)
    out_fh = out = None
    staged_fh = staged_path.open("w", encoding="utf-8")
    staged = StagedWriter(staged_fh)
    try:
        out_fh, out = _result_writer(job, result_path, table)
        total = table.estimated_rows
        progress.report(job.pk, stage="check", done=0, total=total)
        for batch in _batches(table.rows(), BATCH_ROWS):
            clean: list[CleanRow] = []
            for source in batch:
                if source.skip:
                    continue
                row, errors = checker.check(source)
                if row is not None:
                    duplicate = dedupe.in_file(row)
                    if duplicate is not None:
                        row, errors = None, [duplicate]
                if row is None:
                    result.errors[source.number] = errors
                else:
                    clean.append(row)
            existing = dedupe.existing(clean) if clean else {}
            result.existing.update(existing)
            by_number = {r.number: r for r in clean}
            for source in batch:
                if source.skip:
                    out.write(source, "", "")
                    continue
                result.rows += 1
                if source.number in result.errors:
                    text = describe_errors(result.errors[source.number])
                    staged.invalid(source.number, text)
                    out.write(source, text, "")
                    continue
                row = by_number[source.number]
                staged.valid(row)
                if source.number in existing:
                    out.write(source, existing_note(existing[source.number]), existing[source.number])
                    continue
                result.valid += 1
                result.new_authors.add(row.authors)
                if len(result.sample) < SAMPLE_ROWS:
                    unit = f"{row.unit_as_typed} → {row.unit.label}" if row.unit_as_typed else row.unit.name
                    result.sample.append({"row": row.number, "title": row.details["title"],
                                          "author": row.authors[0].full_name, "unit": unit,
                                          "benefit_vnd": row.details["benefit_vnd"]})
                out.write(source, "", "")
            progress.report(job.pk, stage="check", done=result.rows, total=max(total, result.rows))
        result.understood = list(checker.units.understood.values())
    finally:
        table.close()
        staged_fh.close()
        if out is not None:
            out.close()  # also on failure: xlsxwriter's temporary files must be released
        if out_fh is not None:
            out_fh.close()
    return result


def _save_time_error(row: CleanRow | None, error: str, retired: set[int]) -> list[CellError] | None:
    """The errors of a staged row as the database is now (``None``: it may be saved)."""
    if row is None:
        return [CellError("", error)]
    if row.unit.pk in retired:
        return [CellError("unit", _("Đơn vị “%(name)s” vừa giải thể hoặc sáp nhập; hãy "
                                    "chọn đơn vị mới.") % {"name": row.unit.name})]
    return None


def _retired(job: ImportJob) -> set[int]:
    return set(job.unit.subtree().filter(is_active=False).values_list("pk", flat=True))


def save_time_errors(job: ImportJob) -> dict[int, list[CellError]]:
    """Row number → errors of the staged rows that may not be saved now (nothing written).

    Used before a save in chunks (:data:`SaveChunks`), so that all-or-nothing
    still saves nothing of a file that has a bad row.
    """
    retired = _retired(job)
    errors: dict[int, list[CellError]] = {}
    staged = read_staged(job.rows_file.path)
    try:
        for number, row, error in staged:
            found = _save_time_error(row, error, retired)
            if found:
                errors[number] = found
    finally:
        staged.close()
    return errors


@dataclass(frozen=True)
class SaveChunks:
    """How a save is cut into write transactions.

    ``open``: a context manager opening one, which yields ``record(n)`` to
    count the ``n`` rows it saved.  ``rows``: the rows of the first one;
    with ``seconds`` each next one takes as many rows as the last one
    wrote in that time (its pace measured inside the transaction), between
    ``rows`` and ``max_rows``: a chunk holds the write lock for about
    ``seconds`` whatever the load, instead of paying a commit and a dozen
    look-ups every ``rows`` rows.
    """

    rows: int
    open: Callable[[], AbstractContextManager[Callable[[int], None]]]
    seconds: float = 0.0
    max_rows: int = 0

    def next_size(self, size: int, rows: int, elapsed: float) -> int:
        """Rows of the next chunk after one of ``rows`` rows (``size`` asked) took ``elapsed`` seconds."""
        if not self.seconds or rows < size:
            return size
        paced = int(rows * self.seconds / max(elapsed, 1e-3))
        return max(self.rows, min(self.max_rows or self.rows, paced))


@heap_frozen()
def run_save(job: ImportJob, *, writer: BulkWriter, mode: str, chunks: SaveChunks | None = None) -> PassResult:
    """Insert the staged valid rows of ``job``.

    Without ``chunks`` the caller holds the one transaction.  With
    ``chunks = (rows, open_chunk)`` each batch of ``rows`` rows is looked up
    and written inside its own ``open_chunk()`` transaction, which yields a
    function recording the rows saved (called inside it): the embedded
    database's write lock is never held for long (issue 9 item 6).

    Rows already saved (by anyone, since the preview too) are skipped; rows
    whose unit was retired since the preview become errors.  In
    all-or-nothing mode the first error stops the inserts (the caller rolls
    back); checking goes on so that every error is reported.
    """
    result = PassResult()
    dedupe = Deduplicator(programme=job.programme, scope=job.unit)
    retired = _retired(job)
    total = job.rows_total
    size = chunks.rows if chunks else BATCH_ROWS
    progress.report(job.pk, stage="save", done=0, total=total)
    staged = read_staged(job.rows_file.path)
    try:
        while batch := list(itertools.islice(staged, size)):
            clean: list[CleanRow] = []
            for number, row, error in batch:
                result.rows += 1
                found = _save_time_error(row, error, retired)
                if found:
                    result.errors[number] = found
                elif row is not None:  # always: a staged row without its values has an error
                    clean.append(row)
            analysed = writer.analyse(clean) if chunks else None  # CPU work outside the write lock
            with chunks.open() if chunks else nullcontext(lambda _n: None) as record:
                started = time.monotonic()
                existing = dedupe.existing(clean) if clean else {}
                fresh = [r for r in clean if r.number not in existing]
                saved = {} if mode == SaveMode.ALL_OR_NOTHING and result.errors else writer.write(fresh, analysed)
                record(len(saved))
                elapsed = time.monotonic() - started
            if chunks:
                size = chunks.next_size(size, len(batch), elapsed)
            result.existing.update(existing)
            result.valid += len(fresh)
            result.saved.update(saved)
            progress.report(job.pk, stage="save", done=result.rows, total=max(total, result.rows))
    finally:
        staged.close()
    return result


@heap_frozen()
def write_result(job: ImportJob, *, result_path: Path, saved: dict[int, str], existing: dict[int, str],
                 new_errors: dict[int, list[CellError]] | None = None) -> None:
    """The result workbook after saving: errors of the preview (and any found at
    saving), and the tracking code of each row saved or already there."""
    new_errors = new_errors or {}
    table = open_table(job.file.path, job.file_format)
    staged = read_staged(job.rows_file.path)
    out_fh = out = None
    try:
        out_fh, out = _result_writer(job, result_path, table)
        progress.report(job.pk, stage="result", done=0, total=job.rows_total)
        done = 0
        for source in table.rows():
            if source.skip:
                out.write(source, "", "")
                continue
            number, _row, error = next(staged)
            assert number == source.number, (number, source.number)
            if number in new_errors:
                error = describe_errors(new_errors[number])
            if number in existing:
                out.write(source, existing_note(existing[number]), existing[number])
            else:
                out.write(source, error, saved.get(number, ""))
            done += 1
            if done % BATCH_ROWS == 0:
                progress.report(job.pk, stage="result", done=done, total=job.rows_total)
    finally:
        table.close()
        staged.close()
        if out is not None:
            out.close()
        if out_fh is not None:
            out_fh.close()


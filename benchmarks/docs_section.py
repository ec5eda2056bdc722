"""One section of ``docs/benchmarks.md``, rewritten by the benchmark that measured it."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any


def replace_section(path: Path, heading: str, text: str) -> None:
    """Replace the section of ``path`` that starts with the line ``heading`` (up to the
    next ``## `` heading) by ``text``, or append ``text`` when there is none; the other
    sections are kept.  ``text`` starts with ``heading``; the file is UTF-8."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text.rstrip("\n") + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def measure_and_record(measure: Callable[[], dict[str, Any]], *, setup: Callable[[], str],
                       teardown: Callable[[], None], results: Path, heading: str,
                       render: Callable[[dict[str, Any]], str], json_path: str = "",
                       write_doc: bool = False) -> dict[str, Any]:
    """``setup()`` a throw-away database (it returns Django's vendor, "sqlite" or "postgresql"), run
    ``measure`` on it, ``teardown`` after it whatever happens, and add the load average (1/5/15 min)
    at start and end and the UTC time.

    Prints the figures as JSON, writes them to ``json_path`` when given, and with ``write_doc``
    keeps them in ``results`` (one entry per database, "SQLite" or "PostgreSQL", the other's kept)
    and rewrites the ``heading`` section of docs/benchmarks.md with ``render(results)``.  Returns
    the figures.
    """
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[setup()]
    load_start = [round(x, 2) for x in os.getloadavg()]
    try:
        figures = measure()
    finally:
        teardown()
    figures |= {"load_average_start": load_start, "load_average_end": [round(x, 2) for x in os.getloadavg()],
                "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    print(json.dumps(figures, indent=2))
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if write_doc:
        stored = json.loads(results.read_text()) if results.exists() else {}
        stored[vendor] = figures
        results.parent.mkdir(exist_ok=True)
        results.write_text(json.dumps(stored, indent=2))
        replace_section(Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md", heading, render(stored))
    return figures

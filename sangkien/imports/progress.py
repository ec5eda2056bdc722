"""Progress of a running import, readable from another process.

The save pass runs inside one database transaction, so counters written to
the database would stay invisible (and on SQLite would wait for the write
lock) until it commits.  Progress therefore goes to a small JSON file under
``MEDIA_ROOT/imports/progress/`` (replaced atomically), which the web
process reads for the progress bar; the database gets the final counters.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings


def _path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def report(job_id: int, *, stage: str, done: int, total: int) -> None:
    """Record that ``done`` of about ``total`` rows of ``stage`` are processed."""
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump({"stage": stage, "done": done, "total": total}, fh)
    os.replace(tmp, path)


def read(job_id: int) -> dict[str, Any] | None:
    """``{"stage", "done", "total", "percent"}`` or None when nothing was reported."""
    try:
        data: dict[str, Any] = json.loads(_path(job_id).read_text())
    except (OSError, ValueError):
        return None
    total = max(int(data.get("total") or 0), int(data.get("done") or 0), 1)
    data["percent"] = min(100, round(100 * int(data.get("done") or 0) / total))
    return data


def clear(job_id: int) -> None:
    _path(job_id).unlink(missing_ok=True)

"""Background jobs: refresh the dashboards' roll-ups (then queue the next run); build a large export.

With the database backend a worker must run (``manage.py db_worker``).
``manage.py refresh_rollups --schedule 30`` queues the first run.  An export
is built in the language of the person who asked for it (``language``), so
its headers are in their language, not in the worker's default; it takes the
record's primary key and is queued on commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import translation
from django_tasks import task

from sangkien.core.clock import now

logger = logging.getLogger(__name__)


@task()
def refresh_rollups(every_seconds: int = 0) -> dict[str, Any]:
    """Refresh the roll-ups; with ``every_seconds`` > 0 queue the next run that
    many seconds later, unless another chain refreshed more recently than half
    that (so two chains collapse into one).  Returns the refresh report."""
    from sangkien.reports.models import RollupState
    from sangkien.reports.rollup_refresh import refresh

    before = RollupState.objects.filter(name="default").values_list("refreshed_at", flat=True).first()
    if every_seconds and before and now() - before < dt.timedelta(seconds=every_seconds / 2):
        logger.info("refresh_rollups: another chain ran at %s; this one stops", before)
        return {"skipped": True}
    try:
        return refresh().as_dict()
    finally:  # a failed run must not end the chain
        if every_seconds:
            refresh_rollups.using(run_after=now() + dt.timedelta(seconds=every_seconds)).enqueue(every_seconds)


@task()
def build_export(record_id: int, language: str | None = None) -> int:
    """Write export ``record_id`` to a file; returns the number of rows."""
    from sangkien.reports.exports import build_export_file

    with translation.override(language):
        return build_export_file(record_id).rows


def enqueue_export(record_id: int) -> None:
    """Queue :func:`build_export` for ``record_id`` once the transaction commits, in the current language."""
    language = translation.get_language()
    transaction.on_commit(lambda: build_export.enqueue(record_id, language))

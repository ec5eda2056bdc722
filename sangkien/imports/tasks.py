"""Background jobs (Django tasks): they take primary keys and are queued on commit.

With the database backend a worker must run: ``manage.py db_worker``.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def check_import(job_id: int) -> str:
    """Check every row of import ``job_id``; returns the job's status."""
    from sangkien.imports.services import check_job

    return check_job(job_id).status


@task()
def save_import(job_id: int) -> str:
    """Save import ``job_id`` in one transaction; returns the job's status."""
    from sangkien.imports.services import save_job

    return save_job(job_id).status


@task()
def build_export(record_id: int) -> int:
    """Write export ``record_id`` to a file; returns the number of rows."""
    from sangkien.imports.exports import build_export_file

    return build_export_file(record_id).rows


def enqueue_check(job_id: int) -> None:
    transaction.on_commit(lambda: check_import.enqueue(job_id))


def enqueue_save(job_id: int) -> None:
    transaction.on_commit(lambda: save_import.enqueue(job_id))


def enqueue_export(record_id: int) -> None:
    transaction.on_commit(lambda: build_export.enqueue(record_id))

"""Background jobs (Django tasks): they take primary keys and are queued on commit.

With the database backend a worker must run: ``manage.py db_worker``.
Each job runs in the language of the person who queued it (``language``), so
the row errors and the result file are in their language,
not in the worker's default.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import translation
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def check_import(job_id: int, language: str | None = None) -> str:
    """Check every row of import ``job_id``; returns the job's status."""
    from sangkien.imports.services import check_job

    with translation.override(language):
        return check_job(job_id).status


@task()
def save_import(job_id: int, language: str | None = None) -> str:
    """Save import ``job_id`` in one transaction; returns the job's status."""
    from sangkien.imports.services import save_job

    with translation.override(language):
        return save_job(job_id).status


def enqueue_check(job_id: int) -> None:
    language = translation.get_language()
    transaction.on_commit(lambda: check_import.enqueue(job_id, language))


def enqueue_save(job_id: int) -> None:
    language = translation.get_language()
    transaction.on_commit(lambda: save_import.enqueue(job_id, language))

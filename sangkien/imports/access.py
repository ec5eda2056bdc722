"""Reads of imports and exports that depend on who asks.

``restrict_jobs`` / ``restrict_exports`` (NetBox's ``restrict(user, action)``) for lists;
``get_job_for`` / ``get_export_record_for`` (fetch + authorise in one call) for one.
The permissions are those of ``imports/rules.py``; the roles behind each action come
from :mod:`sangkien.roles.capabilities`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from sangkien.imports.models import ExportRecord, ImportJob
from sangkien.roles.capabilities import Capability, roles_with
from sangkien.roles.scope import above_filter, scope_filter

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User

#: ``restrict_jobs`` actions: ``import`` (``imports.import_initiatives``: entry rights over the
#: job's unit), ``log`` (``imports.view_log``: administration rights), ``confirm_held``
#: (``imports.confirm_held``: hold-confirming rights over the level above the job's unit,
#: never one's own upload; whatever the job's status).
JOB_ACTIONS = ("import", "log", "confirm_held")
#: ``restrict_exports`` actions: ``log`` (``imports.view_log``) and ``mine`` (one's own exports).
EXPORT_ACTIONS = ("log", "mine")


def restrict_jobs(user: User | AnonymousUser, action: str) -> QuerySet[ImportJob]:
    """The imports ``user`` may do ``action`` on (:data:`JOB_ACTIONS`); none for anonymous users.

    :raises ValueError: an unknown action.
    """
    if action not in JOB_ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {JOB_ACTIONS}")
    if not user.is_authenticated:
        return ImportJob.objects.none()
    if action == "confirm_held":
        return ImportJob.objects.filter(above_filter(user, roles_with(Capability.CONFIRM_HOLD))).exclude(
            created_by_id=user.pk)
    capability = Capability.ENTER if action == "import" else Capability.ADMINISTER
    return ImportJob.objects.filter(scope_filter(user, roles_with(capability)))


def restrict_exports(user: User | AnonymousUser, action: str) -> QuerySet[ExportRecord]:
    """The export records ``user`` may do ``action`` on (:data:`EXPORT_ACTIONS`); none for
    anonymous users.

    :raises ValueError: an unknown action.
    """
    if action not in EXPORT_ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {EXPORT_ACTIONS}")
    if not user.is_authenticated:
        return ExportRecord.objects.none()
    if action == "mine":
        return ExportRecord.objects.filter(Q(user=user))
    return ExportRecord.objects.filter(scope_filter(user, roles_with(Capability.ADMINISTER)))


def get_job_for(user: User | AnonymousUser, pk: int) -> ImportJob:
    """The import ``pk`` if ``user`` may import for its unit, administers it,
    or may confirm it because it was held (an officer of the level above).

    :raises Http404: no such import, or out of the user's scope (not revealed).
    """
    job = (ImportJob.objects.select_related("programme", "unit", "created_by", "phase", "hold_decided_by")
           .filter(pk=pk).first())
    if job is None or not (user.has_perm("imports.import_initiatives", job.unit)
                           or user.has_perm("imports.view_log", job.unit)
                           or (job.held_at is not None and user.has_perm("imports.confirm_held", job))):
        raise Http404
    return job


def get_export_record_for(user: User | AnonymousUser, pk: int) -> ExportRecord:
    """The export record ``pk`` if ``user`` made it or administers its unit.

    :raises Http404: no such record, or out of the user's scope (not revealed).
    """
    record = ExportRecord.objects.select_related("unit", "programme").filter(pk=pk).first()
    if record is None or not (record.user_id == user.pk or user.has_perm("imports.view_log", record.unit)):
        raise Http404
    return record

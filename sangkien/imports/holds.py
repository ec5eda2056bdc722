"""Plausibility holds of imports (issue 9 item 8): held after checking, confirmed or refused above.

The rule is :func:`sangkien.initiatives.plausibility.assess`.  :func:`assess_job`
applies it to a checked import — the new participants are the distinct
authors of its new rows (matched like ``saving.BulkWriter``: phone, then
e-mail, then name) who are not already counted in the unit's subtree for the
programme.  A held import has saved nothing; an officer with review or
import rights over the level above its unit (``imports.confirm_held``, never
its uploader) confirms it — it then saves as usual — or refuses it with a
reason the uploader reads on the job page.  Both are audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.core.exceptions import DomainError, InvalidTransition, NotAllowed
from sangkien.core.models import log_action
from sangkien.imports import progress
from sangkien.imports.access import restrict_jobs
from sangkien.imports.models import ImportJob, JobStatus, SaveMode
from sangkien.imports.staging import read_staged
from sangkien.initiatives.models import Authorship, InitiativeQuerySet
from sangkien.initiatives.plausibility import Hold, assess
from sangkien.units.access import in_subtree

if TYPE_CHECKING:
    from sangkien.accounts.models import User
    from sangkien.initiatives.details import AuthorData

REFUSAL_MAX_CHARS = 2000
IN_BATCH = 400


def _identity(phone: str, email: str, name: str) -> str:
    if phone:
        return "p:" + phone
    if email:
        return "e:" + email.lower()
    return "n:" + name


class NewAuthors:
    """The distinct authors of the rows an import will save, as :func:`new_participants` counts them:
    by phone, else e-mail, else name (the check pass adds each row's as it goes)."""

    def __init__(self) -> None:
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.others: set[str] = set()

    def add(self, authors: Iterable[AuthorData]) -> None:
        for author in authors:
            if author.phone:
                self.phones.add(author.phone)
            elif author.email:
                self.emails.add(author.email.lower())
            else:
                self.others.add(_identity("", "", author.full_name))


def new_participants(job: ImportJob, *, existing_rows: set[int], authors: NewAuthors | None = None) -> int:
    """Distinct authors of ``job``'s staged new rows (rows in ``existing_rows``
    are already saved) not yet counted in its unit's subtree for its programme.

    ``authors``: those of the new rows, when the caller has them (the check
    pass collects them as it goes), instead of reading the staged rows again.
    """
    if authors is None:
        authors = NewAuthors()
        for number, row, _error in read_staged(job.rows_file.path):
            if row is not None and number not in existing_rows:
                authors.add(row.authors)
    phones, emails, others = authors.phones, authors.emails, authors.others
    counted = Authorship.objects.filter(InitiativeQuerySet.counted_filter("initiative__"),
                                        in_subtree(job.unit, "initiative__unit"),
                                        initiative__programme_id=job.programme_id)
    known = 0
    for items, field in ((sorted(phones), "person__phone"), (sorted(emails), "person__email")):
        for start in range(0, len(items), IN_BATCH):
            batch = items[start:start + IN_BATCH]
            known += counted.filter(**{f"{field}__in": batch}).values(field).distinct().count()
    return len(phones) + len(emails) + len(others) - known


def assess_job(job: ImportJob, *, new_rows: int, existing_rows: set[int],
               authors: NewAuthors | None = None) -> Hold | None:
    """The hold for saving ``new_rows`` rows of checked ``job``, or ``None`` when plausible
    (``authors``: see :func:`new_participants`)."""
    if not new_rows:
        return None
    added = new_participants(job, existing_rows=existing_rows, authors=authors)
    return assess(unit=job.unit, programme=job.programme, participants_added=added,
                  initiatives_added=new_rows, check_participants=added > 0)


def hold(job: ImportJob, held: Hold) -> None:
    """Mark checked ``job`` as held for ``held`` (the caller saves it); audited."""
    job.status = JobStatus.HELD
    job.hold = held.as_dict()
    job.held_at = now()
    log_action(actor=job.created_by, action="import.held", obj=job, unit=job.unit, **held.as_dict())


def describe(job: ImportJob) -> str:
    """Why ``job`` was held, in the reader's language ("" when it never was)."""
    held = Hold.from_dict(job.hold)
    return held.describe() if held else ""


def confirm_held_job(*, job: ImportJob, mode: str, actor: User) -> ImportJob:
    """An officer of the level above confirms a held import; it then saves as usual
    (the caller runs or queues :func:`sangkien.imports.services.save_job`).

    :raises NotAllowed: ``actor`` may not confirm it (outside the level above, or its uploader).
    :raises InvalidTransition: it is not held, no mode was chosen, or
        all-or-nothing was chosen for a file with errors.
    """
    if not actor.has_perm("imports.confirm_held", job):
        raise NotAllowed(_("Chỉ cán bộ cấp trên (không phải người tải tệp lên) mới xác nhận được lần nhập này."))
    if mode not in SaveMode.values:
        raise InvalidTransition(_("Hãy chọn cách lưu."))
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.HELD:
            raise InvalidTransition(_("Lần nhập này không còn chờ cấp trên xác nhận (trạng thái: %(status)s).") % {
                "status": locked.get_status_display()})
        if mode == SaveMode.ALL_OR_NOTHING and locked.rows_invalid:
            raise InvalidTransition(_("Tệp còn %(n)d dòng lỗi: chỉ có thể lưu các dòng hợp lệ.") % {
                "n": locked.rows_invalid})
        locked.mode = mode
        locked.status = JobStatus.SAVING
        locked.hold_decided_by = actor
        locked.hold_decided_at = now()
        locked.save(update_fields=["mode", "status", "hold_decided_by", "hold_decided_at"])
        log_action(actor=actor, action="import.hold_confirmed", obj=locked, unit=locked.unit, mode=mode,
                   hold=locked.hold)
    job.refresh_from_db()
    return job


def refuse_held_job(*, job: ImportJob, reason: str, actor: User) -> ImportJob:
    """An officer of the level above refuses a held import: nothing is saved;
    the uploader reads ``reason`` on the job page.

    :raises NotAllowed: as :func:`confirm_held_job`.
    :raises DomainError: no reason, or longer than :data:`REFUSAL_MAX_CHARS`.
    :raises InvalidTransition: it is not held.
    """
    if not actor.has_perm("imports.confirm_held", job):
        raise NotAllowed(_("Chỉ cán bộ cấp trên (không phải người tải tệp lên) mới xác nhận được lần nhập này."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Hãy ghi lý do không xác nhận để người nhập biết."))
    if len(reason) > REFUSAL_MAX_CHARS:
        raise DomainError(_("Lý do dài quá %(n)d ký tự.") % {"n": REFUSAL_MAX_CHARS})
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.HELD:
            raise InvalidTransition(_("Lần nhập này không còn chờ cấp trên xác nhận (trạng thái: %(status)s).") % {
                "status": locked.get_status_display()})
        locked.status = JobStatus.REFUSED
        locked.hold_refusal = reason
        locked.hold_decided_by = actor
        locked.hold_decided_at = locked.finished_at = now()
        locked.save(update_fields=["status", "hold_refusal", "hold_decided_by", "hold_decided_at", "finished_at"])
        log_action(actor=actor, action="import.hold_refused", obj=locked, unit=locked.unit, reason=reason,
                   hold=locked.hold)
    progress.clear(job.pk)
    job.refresh_from_db()
    return job


def held_jobs_for(user: User) -> QuerySet[ImportJob]:
    """Held imports ``user`` may confirm: units whose level above is in their
    review/import scope, except their own uploads; oldest first."""
    return (restrict_jobs(user, "confirm_held").filter(status=JobStatus.HELD).select_related("unit", "programme", "created_by")
            .order_by("held_at", "pk"))

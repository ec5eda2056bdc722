"""Use cases on initiatives: submit, enter on behalf, resubmit, review.

Duplicate checks are reached through :mod:`sangkien.initiatives.text_checks`;
marking duplicates lives in :mod:`sangkien.duplicates.services`.

Every write goes through one of these functions: keyword-only arguments,
one transaction, a history/audit row, and a domain error (never a silent
no-op) when a rule refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.core.exceptions import DomainError, InvalidTransition, NotAllowed
from sangkien.core.models import log_action
from sangkien.initiatives.details import AuthorData, InitiativeDetails
from sangkien.initiatives.models import (
    SNAPSHOT_FIELDS,
    Attachment,
    Authorship,
    Initiative,
    Status,
    StatusChange,
    new_tracking_code,
)
from sangkien.initiatives.people import PersonResolver, snapshot
from sangkien.initiatives.plausibility import hold_if_implausible
from sangkien.initiatives.text_checks import TextChecks, text_checks
from sangkien.programmes.models import Phase, Programme
from sangkien.programmes.phases import open_phase_or_raise
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def submit_initiative(
    *,
    programme: Programme,
    unit: Unit,
    unit_unlisted: bool,
    unit_unlisted_name: str = "",
    details: InitiativeDetails,
    authors: list[AuthorData],
    files: Sequence[File[Any]] | None = None,
    actor: User,
    on_behalf: bool = False,
    submission_token: str | None = None,
    phase: Phase | None = None,
) -> tuple[Initiative, bool]:
    """Create an initiative in the programme's open phase.

    ``details``: what the initiative says (:class:`InitiativeDetails`).
    ``authors[0]`` is the main author.  When
    ``on_behalf`` is true, ``actor`` is an officer or support-team member
    entering for a member (the record keeps ``entered_by``); otherwise the
    actor is the main author.  A repeated ``submission_token`` (double click,
    resent form) returns the first initiative instead of a second one.

    ``phase``: the open phase the caller has just read, if any (its window is
    checked again, in memory, at the instant of saving; ``None``: read here).

    Returns ``(initiative, created)``.  A submission larger than plausible
    (:mod:`sangkien.initiatives.plausibility`) is saved but held: not
    counted until a reviewer of the level above releases it.

    The initiative is added to the programme's near-duplicate index in the
    same transaction.

    :raises SubmissionClosed: the window is not open now (checked at the
        instant of saving, not when the form was opened).
    :raises NotAllowed: on-behalf entry outside the actor's scope.
    :raises ExactResubmission: the same author already sent the same
        normalised text to this programme (``exc.existing`` is that one).
    """
    try:
        return _submit(programme=programme, phase=phase, unit=unit, unit_unlisted=unit_unlisted,
                       unit_unlisted_name=unit_unlisted_name, details=details, authors=authors, files=files,
                       actor=actor, on_behalf=on_behalf, submission_token=submission_token), True
    except (DomainError, IntegrityError):
        # The unique submission token guards a resent form without a SELECT on every submission:
        # a token already used makes some check refuse or the INSERT fail, and then (only then)
        # the first initiative is looked up and returned, whichever check came first.
        if submission_token:
            existing = Initiative.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return existing, False
        raise


#: How many times a submission is tried again after its random tracking code was taken.
TRACKING_CODE_TRIES = 5


def _submit(*, programme: Programme, phase: Phase | None, unit: Unit, unit_unlisted: bool, unit_unlisted_name: str,
            details: InitiativeDetails, authors: list[AuthorData], files: Sequence[File[Any]] | None,
            actor: User, on_behalf: bool, submission_token: str | None) -> Initiative:
    """:func:`submit_initiative` without the look-up of a resent token (its caller's)."""
    at = now()
    if phase is None or phase.programme_id != programme.pk or not phase.is_open(at):
        phase = open_phase_or_raise(programme, at)
    if on_behalf and not actor.has_perm("initiatives.enter_on_behalf", unit):
        raise NotAllowed(_("Bạn không có quyền nhập sáng kiến cho đơn vị này."))
    main_author = authors[0] if authors else AuthorData(full_name="")
    checks = text_checks()
    analysed = checks.refuse_resubmission(
        programme_id=programme.pk, title=details.title or "", description=details.description or "",
        actor=actor, phone=main_author.phone, email=main_author.email, on_behalf=on_behalf)
    tracking_code = new_tracking_code()
    for attempt in range(1, TRACKING_CODE_TRIES + 1):
        try:
            with transaction.atomic():
                return _save_submission(
                    programme=programme, phase=phase, unit=unit, unit_unlisted=unit_unlisted,
                    unit_unlisted_name=unit_unlisted_name, details=details, authors=authors, files=files,
                    actor=actor, on_behalf=on_behalf, submission_token=submission_token,
                    tracking_code=tracking_code, checks=checks, analysed=analysed)
        except IntegrityError:
            # 32^8 codes: at national scale (~2 million) a random clash becomes likely; the unique
            # constraint catches it, and the whole submission is tried again with a new code.
            taken = Initiative.objects.filter(tracking_code=tracking_code).exists()
            if not taken or attempt == TRACKING_CODE_TRIES:
                raise
            tracking_code = new_tracking_code()
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _save_submission(*, programme: Programme, phase: Phase, unit: Unit, unit_unlisted: bool,
                     unit_unlisted_name: str, details: InitiativeDetails, authors: list[AuthorData],
                     files: Sequence[File[Any]] | None, actor: User, on_behalf: bool,
                     submission_token: str | None, tracking_code: str, checks: TextChecks,
                     analysed: object) -> Initiative:
    """The writes of one submission, inside its transaction: plain INSERTs (a new initiative has no
    authorship, attachment or history yet), the uniques guarded by the constraints."""
    initiative = Initiative.objects.create(
        programme=programme, phase=phase, unit=unit, unit_unlisted=unit_unlisted,
        unit_unlisted_name=unit_unlisted_name if unit_unlisted else "",
        submission_token=submission_token or None,
        submitted_by=None if on_behalf else actor,
        entered_by=actor,
        submitted_at=now(),
        tracking_code=tracking_code,
        **details.columns(),
    )
    people = PersonResolver.for_actor(actor)
    authorships: dict[int, Authorship] = {}  # one per person: the first position they were typed at
    for position, author in enumerate(authors):
        person = people.own(actor, author) if position == 0 and not on_behalf else people.person(author)
        typed = snapshot(author)
        if not any(typed.values()):  # as Authorship.save(): nothing typed keeps the person's own fields
            typed = {name: getattr(person, name) for name in SNAPSHOT_FIELDS}
        authorships.setdefault(person.pk, Authorship(initiative=initiative, person=person, position=position, **typed))
    Authorship.objects.bulk_create(list(authorships.values()))
    for upload in files or []:
        Attachment.objects.create(
            initiative=initiative, file=upload, original_name=upload.name[:255], size=upload.size  # type: ignore[index]  # files have names
        )
    checks.claim_and_index(initiative, analysed)
    StatusChange.objects.create(
        initiative=initiative, actor=actor, from_status="", to_status=Status.SUBMITTED,
        reason=_("Nhập hộ bởi %(name)s") % {"name": actor.display_name} if on_behalf else "",
    )
    log_action(actor=actor, action="initiative.submitted", obj=initiative, unit=unit,
               on_behalf=on_behalf, tracking_code=initiative.tracking_code)
    # issue 9 item 8: saved, not counted until released
    hold_if_implausible(initiative, actor=actor, person_ids=list(authorships))
    return initiative


def resubmit_initiative(*, initiative: Initiative, details: InitiativeDetails, actor: User) -> Initiative:
    """The member sends back an initiative returned for changes, saying ``details`` now.

    To change a few fields only, pass
    ``dataclasses.replace(InitiativeDetails.of(initiative), title=…)``.

    :raises NotAllowed: ``actor`` is not the member who submitted it.
    :raises InvalidTransition: it was not returned for changes.
    :raises SubmissionClosed: its phase's window has closed.
    :raises ExactResubmission: the new text is that of another initiative the
        member already sent.
    """
    if not actor.has_perm("initiatives.edit_returned", initiative):
        raise NotAllowed(_("Chỉ người gửi mới sửa được sáng kiến này."))
    if initiative.status != Status.RETURNED:
        raise InvalidTransition(_("Chỉ sửa được sáng kiến đã bị trả lại để bổ sung."))
    if not initiative.phase.is_open():
        open_phase_or_raise(initiative.programme)
    old_title, old_description = initiative.title, initiative.description
    new_title = details.title or ""
    new_description = details.description or ""
    text_changed = (new_title, new_description) != (old_title, old_description)
    if text_changed:
        text_checks().refuse_resubmission(programme_id=initiative.programme_id, title=new_title,
                                          description=new_description, actor=actor, exclude=[initiative.pk])
    with transaction.atomic():
        for key, value in details.columns().items():
            setattr(initiative, key, value)
        previous = initiative.status
        initiative.status = Status.SUBMITTED
        initiative.status_reason = ""
        initiative.save()
        if text_changed:
            text_checks().reindex(initiative, old_title=old_title, old_description=old_description)
        StatusChange.objects.create(initiative=initiative, actor=actor, from_status=previous,
                                    to_status=Status.SUBMITTED, reason=_("Đã bổ sung và gửi lại"))
        log_action(actor=actor, action="initiative.resubmitted", obj=initiative, unit=initiative.unit)
    return initiative


ALLOWED_DECISIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.RETURNED},
    Status.RETURNED: {Status.APPROVED, Status.REJECTED},
    Status.APPROVED: {Status.REJECTED, Status.RETURNED},
    Status.REJECTED: {Status.APPROVED, Status.RETURNED},
}


def review_initiative(*, initiative: Initiative, decision: str, reason: str, actor: User) -> Initiative:
    """Approve (thông qua), reject, or return an initiative for changes.

    ``reason`` is shown to the member; it is required to reject or return.
    Every decision is kept in the initiative's history (who, when, from, to,
    why) and the audit log.

    :raises NotAllowed: ``actor`` is not a reviewer over the initiative's unit.
    :raises InvalidTransition: the decision does not apply to its status, or
        a required reason is missing.
    """
    if not actor.has_perm("initiatives.review", initiative):
        raise NotAllowed(_("Bạn không có quyền xét duyệt sáng kiến của đơn vị này."))
    reason = (reason or "").strip()
    if decision not in ALLOWED_DECISIONS.get(initiative.status, set()):
        raise InvalidTransition(_("Không thể chuyển sáng kiến từ “%(from)s” sang “%(to)s”.") % {
            "from": Status(initiative.status).label, "to": Status(decision).label
            if decision in Status.values else decision})
    if decision in (Status.REJECTED, Status.RETURNED) and not reason:
        raise InvalidTransition(_("Hãy ghi lý do để người gửi biết cần làm gì."))
    with transaction.atomic():
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        previous = locked.status
        if decision not in ALLOWED_DECISIONS.get(previous, set()):
            raise InvalidTransition(_("Sáng kiến vừa được người khác xét duyệt; hãy tải lại trang."))
        locked.status = decision
        locked.status_reason = reason
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        StatusChange.objects.create(initiative=locked, actor=actor, from_status=previous,
                                    to_status=decision, reason=reason)
        log_action(actor=actor, action=f"initiative.{decision}", obj=locked, unit=locked.unit,
                   from_status=previous, reason=reason)
    initiative.refresh_from_db()
    return initiative


class BulkReviewRefused(DomainError):
    """Some initiatives of a bulk decision were refused; nothing was written.

    ``refused`` lists ``(initiative, message)`` pairs, each message naming
    why that one initiative cannot take the decision.
    """

    def __init__(self, refused: list[tuple[Initiative, str]]) -> None:
        super().__init__(_("%(n)d sáng kiến không thể nhận quyết định này; chưa ghi quyết định nào.")
                         % {"n": len(refused)})
        self.refused = refused


def bulk_review_refusal(*, initiative: Initiative, decision: str, reason: str, actor: User) -> str | None:
    """Why ``initiative`` cannot take ``decision`` in a bulk decision, or ``None``.

    A bulk decision only decides initiatives still waiting (``submitted``):
    one already decided is refused rather than silently re-decided.  The
    other checks are :func:`review_initiative`'s own.
    """
    if not actor.has_perm("initiatives.review", initiative):
        return _("ngoài phạm vi xét duyệt của bạn.")
    if initiative.status != Status.SUBMITTED:
        return _("đã được xét duyệt (%(status)s).") % {"status": Status(initiative.status).label}
    if decision not in ALLOWED_DECISIONS[Status.SUBMITTED]:
        return _("quyết định không hợp lệ.")
    if decision in (Status.REJECTED, Status.RETURNED) and not (reason or "").strip():
        return _("cần ghi lý do.")
    return None


def review_initiatives(*, initiatives: list[Initiative], decision: str, reason: str,
                       actor: User) -> list[Initiative]:
    """One decision and one reason for several waiting initiatives (bulk review).

    All or nothing, in one transaction: each initiative goes through
    :func:`review_initiative` (its own history row and audit entry), after
    :func:`bulk_review_refusal` has checked every one of them.

    :raises BulkReviewRefused: one or more initiatives cannot take the
        decision (out of scope, already decided, missing reason, or decided
        by someone else meanwhile); nothing is written.
    """
    refused = [(i, msg) for i in initiatives
               if (msg := bulk_review_refusal(initiative=i, decision=decision, reason=reason, actor=actor))]
    if refused:
        raise BulkReviewRefused(refused)
    done: list[Initiative] = []
    with transaction.atomic():
        for initiative in initiatives:
            try:
                done.append(review_initiative(initiative=initiative, decision=decision, reason=reason,
                                              actor=actor))
            except DomainError as exc:
                raise BulkReviewRefused([(initiative, exc.message)]) from exc
    return done

"""Writes on the person's own data: correction, the answers to "is this you?", deletion
(docs/privacy.md "Your rights").

Participants (``initiatives.Person``) and authorships sit a layer below this
app; consent per purpose and the account itself are in ``accounts``, further
down.  Each function is keyword-only, runs in one transaction and leaves an
audit row (``sangkien.core.models.log_action``).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sangkien.accounts.models import ConsentSource, User
from sangkien.accounts.services import set_consents
from sangkien.core.clock import now
from sangkien.core.exceptions import NotAllowed
from sangkien.core.models import log_action
from sangkien.initiatives.models import Authorship, Initiative, PendingUpload, Person
from sangkien.privacy.models import ClaimDecision, PersonClaim

#: The name a participant gets when their account is deleted (kept in the source language).
ANONYMISED_NAME = "Người tham gia đã xoá tài khoản"

#: Personal fields of a participant; also cleared on authorship rows that copy them.
PERSON_FIELDS = ("full_name", "phone", "email", "job", "workplace")


@transaction.atomic
def correct_profile(*, user: User, full_name: str, email: str, job: str, workplace: str) -> list[str]:
    """Correct the name, e-mail, job and workplace the person gave (right to correct).

    The name and e-mail are changed on the account and on the person's own
    participant row (created when absent, so the next submission starts from
    it); the e-mail becomes the account's only (unverified) allauth address.
    The phone is changed elsewhere, through SMS verification.  Returns the
    names of the fields that changed (audited by name, never by value).
    ``email`` must be free (the form checks it).
    """
    changed = []
    email = email.strip().lower()
    if user.full_name != full_name:
        user.full_name = full_name
        changed.append("full_name")
    if (user.email or "") != email:
        user.email = email
        changed.append("email")
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
        if email:
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": False})
    if changed:
        user.save(update_fields=["full_name", "email"])
    person = Person.objects.select_for_update().filter(user=user).first()
    if person is None and (job or workplace):
        person = Person(user=user, phone=user.phone or "", created_at=now())
    if person is not None:
        before = {f: getattr(person, f) for f in ("full_name", "email", "job", "workplace")}
        person.full_name, person.email, person.job, person.workplace = full_name, email, job, workplace
        if person.pk is None or before != {f: getattr(person, f) for f in before}:
            changed += [f for f in ("job", "workplace") if before[f] != getattr(person, f)]
            person.save()
    if changed:
        log_action(actor=user, action="user.profile_corrected", obj=user, fields=changed)
    return changed


def pending_claims(user: User) -> QuerySet[Person]:
    """Participants entered by others whom ``user`` may be: same *verified* phone, no account,
    not yet answered by ``user``; with at least one initiative.  A queryset of ``Person``."""
    if not getattr(user, "is_authenticated", False) or not user.is_phone_verified:
        return Person.objects.none()
    return (Person.objects.filter(phone=user.phone, user__isnull=True, authorships__isnull=False)
            .exclude(claims__user=user).distinct().order_by("pk"))


@transaction.atomic
def claim_persons(*, user: User, person_ids: list[int], consents: dict[str, bool]) -> int:
    """``user`` confirms being the participants ``person_ids`` (from :func:`pending_claims`).

    The first becomes the user's participant (or, when the user already has
    one, every authorship moves to it unless it already names the user on
    that initiative); emptied rows are deleted.  Each answer is kept
    (``PersonClaim``), the ``consents`` recorded (``set_consents``, source
    ``claim_step``).  Returns the number of participants confirmed.

    :raises NotAllowed: the phone is not verified, or a participant is not
        the user's to claim (another phone, already linked).
    """
    allowed = {p.pk for p in pending_claims(user)}
    ids = sorted({int(i) for i in person_ids})
    if not user.is_phone_verified or not ids or not set(ids) <= allowed:
        raise NotAllowed(_("Không xác nhận được: danh sách đã thay đổi hoặc số điện thoại chưa được xác minh."))
    persons = list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    target = Person.objects.select_for_update().filter(user=user).first()
    if target is None:
        target = persons[0]
        target.user = user
        target.save(update_fields=["user"])
    for person in persons:
        PersonClaim.objects.create(user=user, person=person, decision=ClaimDecision.CONFIRMED, at=now())
        if person.pk == target.pk:
            continue
        already = Authorship.objects.filter(person=target).values("initiative_id")
        Authorship.objects.filter(person=person).exclude(initiative_id__in=already).update(person=target)
        if not Authorship.objects.filter(person=person).exists():
            person.delete()
    set_consents(user=user, choices=consents, source=ConsentSource.CLAIM_STEP)
    log_action(actor=user, action="person.claimed", obj=target, count=len(persons))
    return len(persons)


@transaction.atomic
def decline_persons(*, user: User, person_ids: list[int]) -> int:
    """``user`` answers "Không phải tôi" for ``person_ids``: they stay unlinked, the answer is kept
    and they are not asked again.  Ids not pending for the user are ignored; returns how many."""
    allowed = {p.pk for p in pending_claims(user)}
    ids = sorted({int(i) for i in person_ids} & allowed)
    for pk in ids:
        PersonClaim.objects.create(user=user, person_id=pk, decision=ClaimDecision.NOT_ME, at=now())
    if ids:
        log_action(actor=user, action="person.claim_declined", obj=user, count=len(ids))
    return len(ids)


@transaction.atomic
def delete_account(*, user: User) -> dict[str, int]:
    """Delete ``user``'s account and the personal data we are not required to keep (right to delete).

    - The person's participant row stays (counts of participants are counts
      of distinct participants), anonymised: name :data:`ANONYMISED_NAME`,
      phone, e-mail, job and workplace cleared, no account; the same fields
      are cleared on its authorship rows (what was typed for each initiative).
    - Initiatives stay (the programme's records, counts and awards); the
      account is removed from "submitted by"/"entered by" (``SET_NULL``).
    - Consents, claim answers, role assignments, sign-in e-mail addresses
      and files held on an unfinished form go with the account; the
      failed-sign-in records of its phone and e-mail are removed.
    - The audit log keeps one ``user.deleted`` row with counts only.

    Returns ``{"persons": n, "initiatives": m}`` (anonymised, kept).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    persons = list(Person.objects.select_for_update().filter(user=locked))
    person_ids = [p.pk for p in persons]
    kept = (Initiative.objects.filter(Q(submitted_by=locked) | Q(authorships__person_id__in=person_ids))
            .distinct().count())
    for person in persons:
        person.full_name, person.phone, person.email, person.job, person.workplace = ANONYMISED_NAME, "", "", "", ""
        person.user = None
        person.save()
    if person_ids:  # what was typed for each initiative (its snapshot) goes too
        Authorship.objects.filter(person_id__in=person_ids).update(
            full_name=ANONYMISED_NAME, phone="", email="", job="", workplace="")
    for upload in PendingUpload.objects.filter(owner=locked):
        upload.file.delete(save=False)
    _forget_sign_in_attempts(locked)
    log_action(actor=None, action="user.deleted", obj=locked, persons=len(persons), initiatives=kept)
    locked.delete()
    return {"persons": len(persons), "initiatives": kept}



def _forget_sign_in_attempts(user: User) -> None:
    """Remove django-axes' records of sign-ins with ``user``'s phone or e-mail (they hold the login typed)."""
    logins = [v for v in (user.phone, (user.email or "").lower()) if v]
    if logins:
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__in=logins).delete()

"""Writes on accounts: phone verification, password reset by SMS code and consent per purpose.

Correction, the answers to "is this you?" and deletion touch participants
(``initiatives``, a layer above) and are in ``sangkien.privacy.services``.

Each function is keyword-only, runs in one transaction and leaves an audit
row (``sangkien.core.models.log_action``).
"""

from __future__ import annotations

from django.db import transaction

from sangkien.accounts.models import User
from sangkien.core.clock import now
from sangkien.core.models import log_action
from sangkien.core.phone import normalise_phone


@transaction.atomic
def set_phone(*, user: User, phone: str, verified: bool) -> None:
    """Store ``phone`` (any Vietnamese spelling, kept as E.164) on ``user``.

    A different number than before loses its verification unless ``verified``.

    :raises sangkien.core.phone.PhoneError: ``phone`` is not a Vietnamese number.
    """
    normal = normalise_phone(phone)
    changed = normal != user.phone
    user.phone = normal
    if verified:
        user.phone_verified_at = user.phone_verified_at if not changed and user.phone_verified_at else now()
    elif changed:
        user.phone_verified_at = None
    user.save(update_fields=["phone", "phone_verified_at"])
    if changed:
        log_action(actor=user, action="user.phone_set", obj=user, verified=verified)


@transaction.atomic
def mark_phone_verified(*, user: User, phone: str) -> bool:
    """Record that ``user`` entered the one-time code sent by SMS to ``phone``.

    Returns False (and changes nothing) when ``phone`` is no longer the
    user's number, e.g. it was changed while the code was on its way.
    """
    normal = normalise_phone(phone)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.phone != normal:
        return False
    if locked.phone_verified_at is None:
        locked.phone_verified_at = now()
        locked.save(update_fields=["phone_verified_at"])
        log_action(actor=locked, action="user.phone_verified", obj=locked)
    user.phone_verified_at = locked.phone_verified_at
    return True


@transaction.atomic
def reset_password_by_phone(*, user: User, phone: str, password: str) -> None:
    """Set ``user``'s new ``password`` after they entered the SMS code sent to ``phone``.

    The code proves the person holds the number, so the phone is marked
    verified as well.  ``password`` must already be validated (the form does).
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    mark_phone_verified(user=user, phone=phone)
    log_action(actor=user, action="user.password_reset_by_sms", obj=user)


# --- Consent per purpose (docs/privacy.md "Your rights") -------------------------------------
#
# The writes on the person's participant rows (correction, claims, deletion) are in
# ``sangkien.privacy.services``: participants sit a layer above accounts.


@transaction.atomic
def set_consents(*, user: User, choices: dict[str, bool], source: str) -> list[str]:
    """Record ``user``'s decisions ``{purpose: granted}`` taken at ``source`` (a ``ConsentSource``).

    A row is added only for a purpose whose choice changes (a purpose never
    decided counts as not granted), under the current notice version; earlier
    rows are never changed.  Returns the purposes that changed, each audited.

    :raises ValueError: a key is not a ``Purpose``.
    """
    from sangkien.accounts.consent import current_choices
    from sangkien.accounts.models import ConsentVersion, Purpose, PurposeConsent

    unknown = set(choices) - set(Purpose.values)
    if unknown:
        raise ValueError(f"unknown purposes {sorted(unknown)}")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one decision at a time per person
    current = current_choices(user)
    version = ConsentVersion.current()
    changed = []
    for purpose, granted in choices.items():
        if current[purpose] == bool(granted):
            continue
        PurposeConsent.objects.create(user=user, purpose=purpose, granted=bool(granted), version=version,
                                      at=now(), source=source)
        log_action(actor=user, action="consent.granted" if granted else "consent.withdrawn", obj=user,
                   purpose=purpose, version=version.version, source=source)
        changed.append(purpose)
    return changed

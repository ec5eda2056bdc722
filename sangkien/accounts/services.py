"""Writes on accounts: phone verification and password reset by SMS code.

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

"""Consent per purpose: what a person agreed to, now and over time (reads).

Personal Data Protection Law 91/2025/QH15 (in force 1 Jan 2026) asks for
consent to each purpose, that can be withdrawn and is kept verifiable; Decree
13/2023/NĐ-CP art. 11 the same.  Decisions are rows of
:class:`~sangkien.accounts.models.PurposeConsent`, only ever added; the
latest row (by insertion order) of a purpose is the current choice.  Writes are
:func:`sangkien.accounts.services.set_consents` (one audit row per decision; the
sign-up form, the personal-data page, the claim step and the demo all call it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sangkien.accounts.models import Purpose, PurposeConsent
from sangkien.core.sql import first_row

if TYPE_CHECKING:
    from sangkien.accounts.models import User

#: The purposes in the order they are shown; only ``participation`` is needed to submit.
PURPOSES: tuple[str, ...] = (Purpose.PARTICIPATION, Purpose.SHOWCASE, Purpose.NOTIFICATIONS)


def _latest_granted(user: User, purpose: str) -> bool | None:
    """Whether ``user``'s latest decision on ``purpose`` granted it; ``None``: none (or anonymous).

    A plain statement (:func:`sangkien.core.sql.first_row`): the form page and the POST of every
    submission ask it (:func:`participation_withdrawn`).
    """
    if not getattr(user, "is_authenticated", False):
        return None
    row = first_row(PurposeConsent, ("granted",), order_by="-id", user_id=user.pk, purpose=purpose)
    return None if row is None else bool(row[0])


def has_consent(user: User, purpose: str) -> bool:
    """True when ``user``'s latest decision on ``purpose`` (a :class:`Purpose` value) is a grant.

    False for an anonymous user, for a purpose never decided (the optional
    ones are off by default) and after a withdrawal.

    :raises ValueError: ``purpose`` is not one of :class:`Purpose`.
    """
    if purpose not in Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    return bool(_latest_granted(user, purpose))


def participation_withdrawn(user: User) -> bool:
    """True when ``user`` withdrew the ``participation`` consent (and has not given it again).

    Used to refuse new submissions.  An account with no decision at all
    (made by an administrator, or by a test) is not refused: it never saw
    the sign-up notice, and its data is handled under the programme's
    records.
    """
    return _latest_granted(user, Purpose.PARTICIPATION) is False


def current_choices(user: User) -> dict[str, bool]:
    """``{purpose: granted}`` for every purpose of :data:`PURPOSES` (False when never decided)."""
    choices = dict.fromkeys(PURPOSES, False)
    for row in PurposeConsent.objects.filter(user=user).order_by("pk"):
        choices[row.purpose] = row.granted
    return choices


def history(user: User) -> list[PurposeConsent]:
    """Every decision of ``user``, oldest first, with its notice version."""
    return list(PurposeConsent.objects.filter(user=user).select_related("version").order_by("pk"))

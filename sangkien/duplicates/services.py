"""Duplicate checks used by the initiative services.

:func:`refuse_exact_resubmission` is called by ``submit_initiative`` and
``resubmit_initiative`` before they write: the same author sending the same
normalised text again is refused, with the existing initiative attached to
the error so the page can link to it.  This look-up runs before the saving
transaction; what makes the rule hold under concurrent posts is the claim
written inside it (:mod:`sangkien.duplicates.exact`).  Near-duplicates are never refused:
they are shown (submit form) and left to a reviewer (``mark_duplicate``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sangkien.duplicates.detector import Document, rank
from sangkien.duplicates.exact import ExactResubmission, resubmission_message
from sangkien.duplicates.index import DatabaseStore
from sangkien.initiatives.models import Authorship, Initiative

__all__ = ["ExactResubmission", "exact_copies", "refuse_exact_resubmission"]


def exact_copies(*, programme_id: int, document: Document, exclude: Iterable[int] = ()) -> list[Initiative]:
    """Initiatives of the programme whose normalised text equals ``document``'s.

    Oldest first.  Found through the index (an exact copy shares every
    band), then compared sentence by sentence.
    """
    if not document.sentences:
        return []
    matches = rank(DatabaseStore(programme_id), document, top=20, exclude=exclude, min_score=1.0)
    found = Initiative.objects.filter(pk__in=[m.id for m in matches]).order_by("submitted_at", "pk")
    return [i for i in found if Document.of(i.title, i.description).normalised == document.normalised]


def _same_author(initiative: Initiative, *, actor: Any, phone: str, email: str, on_behalf: bool) -> bool:
    if not on_behalf and actor is not None and initiative.submitted_by_id == actor.pk:
        return True
    main = (Authorship.objects.filter(initiative=initiative, position=0).select_related("person")
            .first())
    if main is None:
        return False
    person = main.person
    if phone and person.phone == phone:
        return True
    if email and person.email and person.email.lower() == email.lower():
        return True
    return bool(not on_behalf and actor is not None and person.user_id == actor.pk)


def refuse_exact_resubmission(*, programme_id: int, document: Document, actor: Any, phone: str = "",
                              email: str = "", on_behalf: bool = False, exclude: Iterable[int] = ()) -> None:
    """Refuse a text its author already sent to the programme.

    "Its author": the member who submitted it, or the main author with the
    same phone (E.164) or e-mail — so a member's own submission and the
    support team's entry of the same text for them are one.

    :raises ExactResubmission: with the existing initiative.
    """
    for existing in exact_copies(programme_id=programme_id, document=document, exclude=exclude):
        if not _same_author(existing, actor=actor, phone=phone, email=email, on_behalf=on_behalf):
            continue
        raise ExactResubmission(resubmission_message(existing, on_behalf=on_behalf), existing)

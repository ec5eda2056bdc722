"""Duplicate checks and marks: what the initiative services and the reviewers ask of ``duplicates``.

- :class:`DuplicateChecks` implements :class:`sangkien.initiatives.text_checks.TextChecks`
  (registered in :class:`~sangkien.duplicates.apps.DuplicatesConfig`): the
  initiative services reach the engine only through it.
- :func:`refuse_exact_resubmission` runs before ``submit_initiative`` and
  ``resubmit_initiative`` write: the same author sending the same
  normalised text again is refused, with the existing initiative attached to
  the error so the page can link to it.  This look-up runs before the saving
  transaction; what makes the rule hold under concurrent posts is the claim
  written inside it (:func:`index_initiative`, :mod:`sangkien.duplicates.exact`).
- Near-duplicates are never refused: they are shown (submit form) and left
  to a reviewer (:func:`mark_duplicate`, :func:`unmark_duplicate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, connections, router, transaction
from django.utils.translation import gettext as _

from sangkien.core.exceptions import InvalidTransition, NotAllowed
from sangkien.core.models import log_action
from sangkien.duplicates.detector import Document
from sangkien.duplicates.exact import TextClaimed, author_key, text_digest
from sangkien.duplicates.index import (
    Analysis,
    analyse,
    analyse_batch,
    index_analysed,
    index_text,
    reindex_text,
)
from sangkien.duplicates.models import Fingerprint
from sangkien.duplicates.similar import MIN_WORDS, similar_for_form
from sangkien.initiatives.models import Authorship, Initiative, StatusChange
from sangkien.initiatives.text_checks import ExactResubmission
from sangkien.programmes.models import Programme

if TYPE_CHECKING:
    from sangkien.accounts.models import User

__all__ = [
    "DuplicateChecks", "ExactResubmission", "exact_copies", "index_initiative", "mark_duplicate",
    "refuse_exact_resubmission", "reindex_initiative", "resubmission_message", "unmark_duplicate",
]


def resubmission_message(existing: Initiative, *, on_behalf: bool) -> str:
    """The translated refusal naming ``existing`` (its tracking code and title)."""
    values = {"code": existing.tracking_code, "title": existing.title}
    if on_behalf:
        return _("Tác giả này đã gửi sáng kiến này rồi (mã theo dõi %(code)s, “%(title)s”). "
                 "Không nhập lại cùng một nội dung.") % values
    return _("Bạn đã gửi sáng kiến này rồi (mã theo dõi %(code)s, “%(title)s”). "
             "Không gửi lại cùng một nội dung; nếu cần bổ sung, hãy mở sáng kiến đã gửi.") % values


def exact_copies(*, programme_id: int, document: Document, exclude: Iterable[int] = ()) -> list[Initiative]:
    """Initiatives of the programme whose normalised text equals ``document``'s.

    Oldest first (``submitted_at``, then pk).  An equality look-up of the
    text's digest in the indexed
    :attr:`~sangkien.duplicates.models.Fingerprint.text_digest`, written with
    the band keys by every indexing path (issue 12: no LSH search, no
    candidate text normalised again): one small hand-written statement when
    no initiative has the text — nearly every submission — and the
    initiatives read with a second one when some do (issue 12 round 7: the
    ORM query is built only then).
    """
    digest = text_digest(document)
    if digest is None:
        return []
    with connections[router.db_for_read(Fingerprint)].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(Fingerprint._meta.db_table)} "  # noqa: S608  # the model's table
                       "WHERE text_digest = %s LIMIT 1", [digest])
        if cursor.fetchone() is None:
            return []
    same_text = Fingerprint.objects.filter(text_digest=digest).values("initiative_id")
    copies = Initiative.objects.filter(pk__in=same_text)
    excluded = list(exclude)
    if excluded:
        copies = copies.exclude(pk__in=excluded)
    # the programme is tested here, not in SQL: given both, SQLite's planner walks the
    # programme's initiatives instead of the digest's few rows
    return [i for i in copies.order_by("submitted_at", "pk") if i.programme_id == programme_id]


def _same_author(initiative: Initiative, *, actor: User, phone: str, email: str, on_behalf: bool) -> bool:
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


def refuse_exact_resubmission(*, programme_id: int, document: Document, actor: User, phone: str = "",
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


def key_of(initiative: Initiative) -> str:
    """The exact-text ``author_key`` of a saved initiative (one query for an on-behalf entry).

    See :func:`sangkien.duplicates.exact.author_key`.
    """
    if initiative.submitted_by_id:
        return author_key(submitted_by_id=initiative.submitted_by_id)
    main = (Authorship.objects.filter(initiative_id=initiative.pk).order_by("position", "pk")
            .values_list("phone", "email").first())  # as typed (the authorship's snapshot)
    return author_key(submitted_by_id=None, phone=main[0] or "", email=main[1] or "") if main else ""


def _refused(initiative: Initiative, claimed: TextClaimed) -> ExactResubmission:
    existing = Initiative.objects.filter(pk=claimed.holder_id).first()
    if existing is None:  # cannot happen: the claim cascades with its initiative
        raise IntegrityError("exact-text claim refused without a holder") from claimed
    return ExactResubmission(resubmission_message(existing, on_behalf=not initiative.submitted_by_id), existing)


def index_initiative(initiative: Initiative, document: Document | None = None) -> int:
    """Claim ``initiative``'s exact text for its author and add it to the near-duplicate index.

    Call inside the transaction that saves it (after its authors).  Returns
    the number of band keys written.

    :raises ExactResubmission: its author's claim on this text is held by
        another initiative (see :mod:`sangkien.duplicates.exact`).
    """
    document = document or Document.of(initiative.title, initiative.description)
    try:
        return index_text(initiative_id=initiative.pk, programme_id=initiative.programme_id,
                          document=document, author_key=key_of(initiative))
    except TextClaimed as claimed:
        raise _refused(initiative, claimed) from None


def reindex_initiative(initiative: Initiative, *, old_title: str, old_description: str) -> None:
    """The text of ``initiative`` changed: swap its keys and its claim (same transaction).

    :raises ExactResubmission: the new text is claimed by another initiative of the same author.
    """
    try:
        reindex_text(initiative_id=initiative.pk, programme_id=initiative.programme_id,
                     old_title=old_title, old_description=old_description,
                     document=Document.of(initiative.title, initiative.description),
                     author_key=key_of(initiative))
    except TextClaimed as claimed:
        raise _refused(initiative, claimed) from None


class DuplicateChecks:
    """The duplicate engine behind :class:`sangkien.initiatives.text_checks.TextChecks`."""

    similar_min_words = MIN_WORDS

    def refuse_resubmission(self, *, programme_id: int, title: str, description: str, actor: User,
                            phone: str = "", email: str = "", on_behalf: bool = False,
                            exclude: Iterable[int] = ()) -> Document:
        """:func:`refuse_exact_resubmission`; returns the analysed :class:`Document`."""
        document = Document.of(title, description)
        refuse_exact_resubmission(programme_id=programme_id, document=document, actor=actor, phone=phone,
                                  email=email, on_behalf=on_behalf, exclude=exclude)
        return document

    def claim_and_index(self, initiative: Initiative, analysed: object | None = None) -> None:
        """:func:`index_initiative` (``analysed``: the :class:`Document` from :meth:`refuse_resubmission`)."""
        index_initiative(initiative, analysed if isinstance(analysed, Document) else None)

    def reindex(self, initiative: Initiative, *, old_title: str, old_description: str) -> None:
        """:func:`reindex_initiative`."""
        reindex_initiative(initiative, old_title=old_title, old_description=old_description)

    def similar_for_form(self, *, user: User, programme: Programme, title: str,
                         description: str) -> list[dict[str, Any]] | None:
        """:func:`sangkien.duplicates.similar.similar_for_form` (``description`` already sanitised)."""
        return similar_for_form(user=user, programme_id=programme.pk, title=title, description=description)

    def analyse(self, *, programme_id: int, title: str, description: str) -> Analysis:
        """:func:`sangkien.duplicates.index.analyse`."""
        return analyse(programme_id, title, description)

    def analyse_many(self, *, programme_id: int, texts: list[tuple[str, str]]) -> list[Analysis]:
        """:func:`sangkien.duplicates.index.analyse_batch`."""
        return analyse_batch(programme_id, texts)

    def claim_and_index_bulk(self, items: list[tuple[int, int, object, str, str]]) -> None:
        """:func:`sangkien.duplicates.index.index_analysed`, each claim keyed by the main author as typed."""
        index_analysed([(pk, programme_id, analysed) for pk, programme_id, analysed, _phone, _email in items
                        if isinstance(analysed, Analysis)],
                       author_keys={pk: author_key(submitted_by_id=None, phone=phone, email=email)
                                    for pk, _programme, _analysed, phone, email in items})


def mark_duplicate(*, initiative: Initiative, original: Initiative, reason: str, actor: User) -> Initiative:
    """A reviewer records that ``initiative`` duplicates ``original``.

    ``original`` may lie anywhere in the programme (outside the reviewer's
    scope too); if it is itself marked, its own original is used, and the
    initiatives marked as duplicates of ``initiative`` move to that original,
    so every chain ends at one counted initiative.  From then on the
    initiative is left out of every count; the member reads ``reason`` on
    its page and in its history.

    :raises NotAllowed: ``actor`` is not a reviewer over ``initiative``'s unit.
    :raises InvalidTransition: no reason, another programme, or the original
        is the initiative itself.
    """
    if not actor.has_perm("duplicates.mark", initiative):
        raise NotAllowed(_("Bạn không có quyền xét duyệt sáng kiến của đơn vị này."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition(_("Hãy ghi lý do để người gửi biết vì sao sáng kiến bị coi là trùng."))
    if original.programme_id != initiative.programme_id:
        raise InvalidTransition(_("Chỉ đánh dấu trùng với một sáng kiến của cùng chương trình."))
    root = original
    for _step in range(50):
        if root.duplicate_of_id is None:
            break
        root = Initiative.objects.get(pk=root.duplicate_of_id)
    if root.pk == initiative.pk:
        raise InvalidTransition(_("Một sáng kiến không thể trùng với chính nó."))
    with transaction.atomic():
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        locked.duplicate_of = root
        locked.duplicate_reason = reason
        locked.save(update_fields=["duplicate_of", "duplicate_reason", "updated_at"])
        moved = list(Initiative.objects.filter(duplicate_of=locked).values_list("pk", flat=True))
        Initiative.objects.filter(pk__in=moved).update(duplicate_of=root)
        StatusChange.objects.create(
            initiative=locked, actor=actor, from_status=locked.status, to_status=locked.status,
            reason=_("Trùng với sáng kiến “%(title)s” (%(unit)s), chỉ tính sáng kiến đó. Lý do: %(reason)s")
            % {"title": root.title, "unit": root.unit.name, "reason": reason})
        log_action(actor=actor, action="initiative.marked_duplicate", obj=locked, unit=locked.unit,
                   original=root.tracking_code, reason=reason, moved=moved)
    initiative.refresh_from_db()
    return initiative


def unmark_duplicate(*, initiative: Initiative, reason: str, actor: User) -> Initiative:
    """Undo :func:`mark_duplicate`: the initiative is counted again.

    :raises NotAllowed: ``actor`` is not a reviewer over ``initiative``'s unit.
    :raises InvalidTransition: it is not marked as a duplicate.
    """
    if not actor.has_perm("duplicates.mark", initiative):
        raise NotAllowed(_("Bạn không có quyền xét duyệt sáng kiến của đơn vị này."))
    if initiative.duplicate_of_id is None:
        raise InvalidTransition(_("Sáng kiến này không bị đánh dấu trùng."))
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        previous = locked.duplicate_of.tracking_code if locked.duplicate_of else ""
        locked.duplicate_of = None
        locked.duplicate_reason = ""
        locked.save(update_fields=["duplicate_of", "duplicate_reason", "updated_at"])
        StatusChange.objects.create(
            initiative=locked, actor=actor, from_status=locked.status, to_status=locked.status,
            reason=_("Không còn bị coi là trùng; sáng kiến được tính lại.") + (f" {reason}" if reason else ""))
        log_action(actor=actor, action="initiative.unmarked_duplicate", obj=locked, unit=locked.unit,
                   previous=previous, reason=reason)
    initiative.refresh_from_db()
    return initiative

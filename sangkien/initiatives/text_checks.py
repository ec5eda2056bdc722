"""The one door between the initiative services and the duplicate checks.

``initiatives`` sits below ``duplicates`` and imports nothing from it.  What
the initiative use cases need of a text check is declared here, as a small
:class:`TextChecks` protocol; ``duplicates`` implements it
(:class:`sangkien.duplicates.services.DuplicateChecks`) and registers it in
its ``AppConfig.ready()``.  The four moments:

1. **before saving** — :meth:`TextChecks.refuse_resubmission`: refuse a text
   its author already sent (outside the saving transaction, no write);
2. **in the saving transaction** — :meth:`TextChecks.claim_and_index`: claim
   the exact text for its author and add it to the near-duplicate index;
3. **the text changed** — :meth:`TextChecks.reindex` (same transaction);
4. **the submit form** — :meth:`TextChecks.similar_for_form`: what to show in
   the "similar initiatives" panel;
5. **a bulk entry** (:func:`sangkien.initiatives.bulk.create_initiatives_bulk`) —
   :meth:`TextChecks.analyse` (:meth:`~TextChecks.analyse_many` for a batch) before the write transaction, then
   :meth:`TextChecks.claim_and_index_bulk` inside it: moment 2 for a batch.

:class:`ExactResubmission` is declared here too: the services raise it
(through the registered checks) and the views of this app turn it into a
message with a link to the existing initiative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from sangkien.core.exceptions import DomainError

if TYPE_CHECKING:
    from sangkien.accounts.models import User

if TYPE_CHECKING:
    from sangkien.initiatives.models import Initiative
    from sangkien.programmes.models import Programme


class ExactResubmission(DomainError):
    """The same author already sent this text; ``existing`` is that initiative."""

    def __init__(self, message: str, existing: Initiative) -> None:
        super().__init__(message)
        self.existing = existing


class TextChecks(Protocol):
    """What the initiative services and the submit form ask of the duplicate checks."""

    #: Fewer words than this in title + description: :meth:`similar_for_form` answers ``None``
    #: (the panel's hint), so the form does not ask (``static/js/sangkien.js``).
    similar_min_words: int

    def refuse_resubmission(self, *, programme_id: int, title: str, description: str, actor: User,
                            phone: str = "", email: str = "", on_behalf: bool = False,
                            exclude: Iterable[int] = ()) -> object:
        """Refuse a text its author already sent to the programme; call before the saving transaction.

        ``description`` is sanitised HTML.  ``phone`` (E.164) and ``email`` are
        the main author's; ``exclude``: initiative ids not to compare with.
        Returns the analysed text, opaque, to hand to :meth:`claim_and_index`
        (so the text is analysed once).

        :raises ExactResubmission: with the existing initiative.
        """
        ...

    def claim_and_index(self, initiative: Initiative, analysed: object | None = None) -> None:
        """Claim ``initiative``'s exact text and index it, inside the transaction saving it (after its authors).

        ``analysed``: what :meth:`refuse_resubmission` returned for this text, or ``None``.

        :raises ExactResubmission: a concurrent post of the same text by the
            same author won; the caller's transaction must roll back.
        """
        ...

    def reindex(self, initiative: Initiative, *, old_title: str, old_description: str) -> None:
        """``initiative``'s text changed from ``old_title`` + ``old_description``: swap its claim and keys.

        :raises ExactResubmission: the new text is claimed by another initiative of the same author.
        """
        ...

    def similar_for_form(self, *, user: User, programme: Programme, title: str,
                         description: str) -> list[dict[str, Any]] | None:
        """Rows of the submit form's "similar initiatives" panel, or ``None`` when too little is typed.

        ``description`` is already sanitised (it is not cleaned again).
        """
        ...

    def analyse(self, *, programme_id: int, title: str, description: str) -> object:
        """The text analysed before its initiative is written (CPU only, no query; opaque)."""
        ...

    def analyse_many(self, *, programme_id: int, texts: list[tuple[str, str]]) -> Sequence[object]:
        """:meth:`analyse` of each ``(title, description)``, in order, computed together (faster)."""
        ...

    def claim_and_index_bulk(self, items: list[tuple[int, int, object, str, str]]) -> None:
        """Claim and index new initiatives given as ``(pk, programme_id, analysed, phone, email)``.

        ``analysed`` comes from :meth:`analyse`; ``phone`` and ``email`` are
        the main author's as typed (entered on their behalf, no account).
        Inside the transaction writing them; a claim already held is skipped.
        """
        ...


_registered: list[TextChecks] = []


def register(checks: TextChecks) -> None:
    """Install ``checks`` as the text checks (replacing any earlier one); called from an ``AppConfig.ready()``."""
    _registered[:] = [checks]


def text_checks() -> TextChecks:
    """The registered text checks.

    :raises ImproperlyConfigured: none registered (``sangkien.duplicates``
        missing from ``INSTALLED_APPS``) — never skip the checks silently.
    """
    if not _registered:
        raise ImproperlyConfigured("No text checks registered: add sangkien.duplicates to INSTALLED_APPS.")
    return _registered[0]

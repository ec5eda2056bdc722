"""The typed inputs of the initiative write path: who the authors are, what the initiative says.

:class:`AuthorData` and :class:`InitiativeDetails` are what a form (or an
import row) hands to :func:`sangkien.initiatives.services.submit_initiative`,
:func:`~sangkien.initiatives.services.resubmit_initiative` and
:func:`sangkien.initiatives.bulk.create_initiatives_bulk`: plain frozen
values, already cleaned (phones in E.164, descriptions sanitised, amounts in
VND), with no model instance and no request inside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sangkien.initiatives.models import Initiative


@dataclass(frozen=True)
class AuthorData:
    """An author as typed in a form; ``phone`` already normalised to E.164 or empty."""

    full_name: str
    phone: str = ""
    email: str = ""
    job: str = ""
    workplace: str = ""


@dataclass(frozen=True)
class InitiativeDetails:
    """What a member types about an initiative (the form's and the import template's fields).

    ``description`` is sanitised HTML (:func:`sangkien.core.sanitise.clean_description`);
    ``benefit_vnd`` in VND per year or ``None``; ``field_id`` the
    :class:`~sangkien.programmes.models.Field` pk or ``None``;
    ``recognition_form`` a :class:`~sangkien.initiatives.models.RecognitionForm`
    value or ``""``; dates are local calendar dates or ``None``.  Each name
    is the :class:`~sangkien.initiatives.models.Initiative` column it fills.
    """

    title: str
    description: str
    sector_block: str = ""
    field_id: int | None = None
    effect_summary: str = ""
    benefit_vnd: int | None = None
    recognition_form: str = ""
    recognised_by: str = ""
    recognised_on: dt.date | None = None
    applied_from: dt.date | None = None
    applied_to: dt.date | None = None
    is_trade_secret: bool = False

    @classmethod
    def of(cls, initiative: Initiative) -> InitiativeDetails:
        """The details ``initiative`` holds now (to change a few with :func:`dataclasses.replace`)."""
        return cls(**{name: getattr(initiative, name) for name in DETAIL_FIELDS})

    def columns(self) -> dict[str, Any]:
        """Column attname → value, as :class:`Initiative` stores them."""
        return asdict(self)


#: The :class:`Initiative` columns :class:`InitiativeDetails` fills, in its order.
DETAIL_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(InitiativeDetails))

"""Fetch + authorise a unit in one call (Zulip's ``access_*``).

It sits in ``units`` (below ``roles``, ``programmes`` and ``initiatives``) so
every app above can use it.  The permission check goes through
``user.has_perm(perm, unit)``: Django's auth backends reach the django-rules
permissions declared in the apps' ``rules.py`` without this module importing
``roles``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from sangkien.core.clock import LOCAL_TZ, local_now
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User
    pass

def get_unit_for(user: User | AnonymousUser, code: str, perm: str, *, on: dt.date | None = None) -> Unit:
    """The unit that has ``code`` on ``on`` (None: today) if ``user`` holds ``perm`` (e.g. ``"units.manage"``) on it.

    :raises Http404: no such unit on that date.
    :raises PermissionDenied: the unit is above or beside the user's units.
    """
    unit: Unit | None = Unit.objects.by_code(code, on=on)
    if unit is None:
        raise Http404
    if not user.has_perm(perm, unit):
        raise PermissionDenied
    return unit


def get_linked_unit(code: str) -> Unit:
    """The unit existing today that a printed link or QR code names (no permission: the link is public).

    :raises Http404: no unit has this code today (message translated).
    """
    unit: Unit | None = Unit.objects.active().by_code(code)
    if unit is None:
        raise Http404(_("Không có đơn vị nào với mã “%(code)s”. Đường link hoặc mã QR có thể đã cũ hoặc bị "
                        "gõ sai; hãy hỏi lại công đoàn cơ sở của bạn.") % {"code": code[:40]})
    return unit


def in_subtree(unit: Unit, via: str = "unit") -> Q:
    """A ``Q`` matching rows whose unit (reached through ``via``, e.g. ``"initiative__unit"``;
    ``""`` for units themselves) is ``unit`` or lies below it.

    No permission: use it inside a unit already fetched for the user (:func:`get_unit_for`),
    or for figures that concern the unit as a whole.
    """
    field = f"{via}__path__startswith" if via else "path__startswith"
    return Q(**{field: unit.path})


def programme_day(programme: Any) -> dt.date:
    """The day on which a programme's unit codes name units (issue 11: programmes count on their own tree).

    The last day of its last submission window (local date), or today when
    that is later or the programme has no phase.  ``programme`` is a
    ``programmes.Programme`` (duck-typed: this module sits below
    ``programmes``).  Use with :meth:`UnitQuerySet.by_code`.
    """
    today = local_now().date()
    ends = [phase.submission_end for phase in programme.phases.all()]
    if not ends:
        return today
    last: dt.date = (max(ends) - dt.timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()
    return min(last, today)

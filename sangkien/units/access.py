"""Fetch + authorise a unit in one call (Zulip's ``access_*``).

It sits in ``units`` (below ``roles``, ``programmes`` and ``initiatives``) so
every app above can use it.  The permission check goes through
``user.has_perm(perm, unit)``: Django's auth backends reach the django-rules
predicates declared in ``roles/rules.py`` without this module importing
``roles``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def get_unit_for(user: User, code: str, perm: str) -> Unit:
    """The unit ``code`` if ``user`` holds ``perm`` (e.g. ``"units.manage"``) on it.

    :raises Http404: no such unit.
    :raises PermissionDenied: the unit is above or beside the user's units.
    """
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404
    if not user.has_perm(perm, unit):
        raise PermissionDenied
    return unit


def get_linked_unit(code: str) -> Unit:
    """The active unit a printed link or QR code names (no permission: the link is public).

    :raises Http404: no active unit has this code (message translated).
    """
    unit = Unit.objects.filter(code=code.strip(), is_active=True).first()
    if unit is None:
        raise Http404(_("Không có đơn vị nào với mã “%(code)s”. Đường link hoặc mã QR có thể đã cũ hoặc bị "
                        "gõ sai; hãy hỏi lại công đoàn cơ sở của bạn.") % {"code": code[:40]})
    return unit

"""The closed programme page's totals, from the app that counts.

``initiatives`` sits below ``reports`` and imports nothing from it; the page
shown when a programme does not take initiatives (issue 8 item 8) still
gives what the programme gathered.  ``reports`` registers the function that
counts (:func:`sangkien.reports.counting.programme_total`) in its
``AppConfig.ready()`` — the hook pattern of ``initiatives.text_checks``
(docs/architecture.md, "Hooks").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from sangkien.programmes.models import Programme

#: ``programme → row`` with ``participants``, ``submitted`` and ``approved`` (counts).
ProgrammeTotal = Callable[["Programme"], Any]

_registered: ProgrammeTotal | None = None


def register(total: ProgrammeTotal) -> None:
    """Make ``total`` the function :func:`programme_total` calls (``reports`` does, once)."""
    global _registered
    _registered = total


def programme_total(programme: Programme) -> Any:
    """What ``programme`` gathered, over its whole tree, as the dashboards count it.

    :raises ImproperlyConfigured: no app registered a counting function
        (``sangkien.reports`` missing from ``INSTALLED_APPS``).
    """
    if _registered is None:
        raise ImproperlyConfigured("No programme total registered: is sangkien.reports installed?")
    return _registered(programme)

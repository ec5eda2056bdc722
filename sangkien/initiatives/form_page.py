"""The submission form page's same-for-everyone part, rendered once and kept in the cache (issue 12).

At the deadline most requests are members opening the submission form. Of that
page only the author fields, the CSRF token, the submission token and the CSP
nonce belong to the member; the rest — the unit chooser for the unit of a QR
link, the details fields with their choice lists, the attachments field, the
empty similar-initiatives panel and "You are sending to" — is the same for
every member who opens the same programme with the same ``?don-vi=`` code in
the same language. ``templates/initiatives/submit.html`` wraps that part in
Django's ``{% cache %}`` tag with :func:`fragment_key`, and the view passes
the chooser as callables (:class:`LazyChooser`), so on a hit neither the
chooser's seven queries nor the part's templates run.

Only the page of an unbound form (a GET) is kept: a form sent back with errors
holds what the member typed and is always rendered afresh. The kept HTML holds
no personal data (the author fields are outside it; a test checks).

Freshness: a unit, field, programme or phase saved or deleted through the ORM
bumps :func:`version` (signals connected in ``InitiativesConfig.ready``), which
is part of every key, so the next page is rendered afresh. With the default
in-process cache (no ``REDIS_URL``) each server process keeps its own copy and
bumps only its own version; writes that bypass the ORM's signals (tree moves
with ``QuerySet.update``) show after at most :data:`FRAGMENT_SECONDS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language

from sangkien.core.clock import now
from sangkien.programmes.models import Phase, Programme

#: Seconds a rendered part is kept (the bound on staleness for writes no signal sees).
FRAGMENT_SECONDS = 60
#: The cache key of the version that every fragment key includes.
VERSION_KEY = "initiatives:form-page:version"
#: The longest ``?don-vi=`` code kept in a key (longer ones are no unit's code: rendered, not kept).
MAX_CODE = 64
#: Seconds a programme's phases are kept for :func:`kept_open_programme` (the bound on how late a
#: server process without a shared cache sees a window another process changed).
PROGRAMME_SECONDS = 5
#: The prefix of :func:`kept_open_programme`'s keys.
PROGRAMME_KEY = "initiatives:form-page:programme"


def version() -> int:
    """The current version of the kept form pages (an int ≥ 1; one cache read)."""
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        value = cache.get(VERSION_KEY, 1)
    return int(value)


def bump_version(**_signal: Any) -> None:
    """Forget every kept form page (a signal receiver: reference data changed)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from the keys in use
        cache.set(VERSION_KEY, 2, timeout=None)


def fragment_key(*, programme: Programme, phase: Phase, code: str) -> str | None:
    """The ``vary_on`` of the kept part of the form page of ``programme`` in its open
    ``phase`` for the ``?don-vi=`` value ``code``, in the current language; ``None`` (render
    afresh) when ``code`` is too long to be a unit's code."""
    if len(code) > MAX_CODE:
        return None
    return "|".join(str(part) for part in (
        get_language(), version(), programme.pk, phase.pk, phase.submission_end.timestamp(),
        phase.effect_start, phase.effect_end, code))


def kept_open_programme(slug: str) -> tuple[Programme | None, Phase | None]:
    """``(programme, phase)``: the published programme ``slug`` and its phase open now (``None``
    when none is), or ``(None, None)`` when there is no such programme.  The programme and its
    phases are read from the cache (issue 12: the form page, its POST and the similar panel each
    read them; at the deadline that is one statement of every request).

    The window is checked against the clock on every call, in memory (:meth:`Phase.is_open`, the
    lowest number first, as the query does), so a phase opens and closes on time.  Kept :data:`PROGRAMME_SECONDS` under the same :func:`version` as the kept form
    parts: a programme or phase saved or deleted through the ORM is read afresh at once by the
    process that saved it and, with a shared cache (``REDIS_URL``), by every process; without one,
    the other processes see the change within :data:`PROGRAMME_SECONDS`.  A programme that does
    not exist or is not published is not kept (read each time, as before).
    """
    if len(slug) > Programme._meta.get_field("slug").max_length:  # type: ignore[operator]  # a SlugField has one
        return None, None  # no programme has it (and it is not made a cache key)
    key = f"{PROGRAMME_KEY}|{version()}|{slug}"
    kept = cache.get(key)
    if kept is None:
        programme = Programme.objects.filter(slug=slug, is_published=True).first()
        if programme is None:
            return None, None
        phases = list(programme.phases.order_by("number"))
        for phase in phases:
            phase.programme = programme  # pickled once with the phases: the same object after a hit
        kept = (programme, phases)
        cache.set(key, kept, timeout=PROGRAMME_SECONDS)
    programme, phases = kept
    at = now()
    return programme, next((phase for phase in phases if phase.is_open(at)), None)


class LazyChooser:
    """The unit chooser's template values, computed by ``compute`` the first time one is used.

    ``compute()`` returns the dict of the values (``levels``, ``preselected``, …);
    :meth:`context` gives, for each name, a callable that Django's templates call when
    they resolve the name — inside a fragment served from the cache, never.
    """

    NAMES = ("levels", "unlisted_chosen", "unlisted_name", "preselected", "chosen_names", "destination")

    def __init__(self, compute: Callable[[], dict[str, Any]]) -> None:
        self._compute = functools.cache(compute)

    def context(self) -> dict[str, Any]:
        """``{name: callable}`` for every name of :attr:`NAMES`."""
        return {name: functools.partial(self._value, name) for name in self.NAMES}

    def _value(self, name: str) -> Any:
        return self._compute()[name]

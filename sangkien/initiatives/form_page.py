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

Around that part, the whole page of an unbound form is kept too (round 12,
:func:`serve_page`): rendered once with holes in place of the author fields and
the request's tokens (:class:`KeptPage`), and filled for each request, so a
member's form page builds no form and runs no template.

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
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import get_messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import get_language

from sangkien.core.clock import now
from sangkien.programmes.models import Phase, Programme
from sangkien.roles.context_processors import site

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


#: The prefix of the whole pages' keys (:func:`page_key`).
PAGE_KEY = "initiatives:form-page:page"
#: The author fields the member's own data fills (``SubmissionForm``'s names, ``_author_initial``'s keys).
AUTHOR_FIELDS = ("author_full_name", "author_phone", "author_email", "author_job", "author_workplace")
#: The other values of a form page that belong to its request: the CSRF token, the CSP nonce, the
#: submission token and the language switcher's ``next`` (the page's own address).
REQUEST_VALUES = ("csrf_token", "csp_nonce", "submission_token", "language_next")


def page_key(request: HttpRequest, *, programme: Programme, phase: Phase, code: str) -> str | None:
    """The cache key of the whole form page of an unbound form for this request, or ``None``
    (render it afresh): when ``code`` cannot be kept (:func:`fragment_key`) or a message waits to
    be shown (it would be shown once, in the page that renders it).

    Besides :func:`fragment_key` (language, version, programme, phase, code), the key (hashed) holds what
    the page's navigation shows of the member — whether they hold a role
    (``roles.context_processors.site``, one statement) — and the static files' manifest hash, so
    that a deploy with new assets never serves a page naming the old ones.
    """
    fragment = fragment_key(programme=programme, phase=phase, code=code)
    if fragment is None or len(get_messages(request)):
        return None
    has_roles = site(request)["user_has_roles"]
    parts = (fragment, "roles" if has_roles else "member", getattr(staticfiles_storage, "manifest_hash", "") or "")
    # Hashed: the code is the member's text (any character), and a cache key must be plain.
    return f"{PAGE_KEY}|{hashlib.sha256('|'.join(parts).encode()).hexdigest()}"


@dataclass(frozen=True)
class KeptPage:
    """A form page rendered once with holes, kept in the cache under :func:`page_key`.

    ``html`` is the page rendered with, in place of each value of :data:`AUTHOR_FIELDS` and
    :data:`REQUEST_VALUES`, the hole ``mark + name + "x"``; ``mark`` is random (``skhole`` and 16
    hex digits, drawn for each page rendered), so no text a page holds by chance can be taken for a
    hole.  An author field is an ``<input>`` whose ``value`` attribute Django leaves out when the
    value is empty, so its hole is the whole attribute.
    """

    mark: str
    html: str

    @staticmethod
    def new_mark() -> str:
        """A new page's mark: ``skhole`` and 16 random hex digits."""
        return "skhole" + secrets.token_hex(8)

    @staticmethod
    def holes(mark: str) -> dict[str, str]:
        """``{name: hole}`` of the page marked ``mark``, for every name of :data:`AUTHOR_FIELDS` and
        :data:`REQUEST_VALUES`."""
        return {name: f"{mark}{name}x" for name in (*AUTHOR_FIELDS, *REQUEST_VALUES)}

    @classmethod
    def rendered(cls, render: Callable[[Mapping[str, str]], str]) -> KeptPage:
        """The page ``render(holes)`` gives with the holes of a new mark."""
        mark = cls.new_mark()
        return cls(mark=mark, html=render(cls.holes(mark)))

    def fill(self, values: Mapping[str, str]) -> str:
        """The page with each hole filled with its value in ``values`` (text, escaped here; every
        name of :data:`AUTHOR_FIELDS` and :data:`REQUEST_VALUES`): what Django renders for them.

        Raises ``KeyError`` when a name has no value.
        """
        def value(match: re.Match[str]) -> str:
            attribute, name = match.group(1), match.group(2) or match.group(3)
            text = values[name]
            if attribute:
                return f' value="{escape(text)}"' if text else ""
            return escape(text)

        return _hole_pattern(self.mark).sub(value, self.html)


@functools.lru_cache(maxsize=64)
def _hole_pattern(mark: str) -> re.Pattern[str]:
    """The holes of the pages whose mark is ``mark``: an author field's ``value`` attribute
    (groups 1 and 2) or a request's value (group 3)."""
    authors = "|".join(AUTHOR_FIELDS)
    requests = "|".join(REQUEST_VALUES)
    return re.compile(f'( value="){mark}({authors})x"|{mark}({requests})x')


def serve_page(request: HttpRequest, key: str | None, values: Mapping[str, str],
               render: Callable[[Mapping[str, str]], str]) -> HttpResponse:
    """The form page: ``render(values)`` when ``key`` is ``None``; else the page kept under ``key``
    (rendered by ``render(holes)`` and kept :data:`FRAGMENT_SECONDS` the first time), filled with
    ``values``.

    ``values`` maps every name of :data:`AUTHOR_FIELDS` and :data:`REQUEST_VALUES` to its text
    (not escaped); ``render`` renders the page with the form's author fields, the submission token
    and the template's ``csrf_token``, ``CSP_NONCE`` and ``language_next`` set from the mapping it is
    given.  The page served from the cache is the page ``render(values)`` gives (a test compares
    them); it costs no template and no form (issue 12, round 12).
    """
    if key is None:
        return HttpResponse(render(values))
    kept = cache.get(key)
    if kept is None:
        kept = KeptPage.rendered(render)
        cache.set(key, kept, timeout=FRAGMENT_SECONDS)
    return HttpResponse(kept.fill(values))

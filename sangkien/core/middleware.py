"""Language: Vietnamese unless the person chose English with the switch; the body-size cap; session lengths.

Django's LocaleMiddleware follows the browser's Accept-Language, which on
most phones and office PCs here is English; the product decision is that
Vietnamese is the default, so only the language cookie (set by the switch in
the header) changes it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from sangkien.core import clock


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNullCharactersMiddleware:
    """Answer 400 to a query string holding a NUL character (``\\x00``).

    No person types one; PostgreSQL refuses it in any text ("A string literal
    cannot contain NUL"), so a page that passed it to a query answered 500.
    Posted forms are left to their fields, which refuse it with a message and
    keep what was typed (Django's ProhibitNullCharactersValidator); this
    covers the query parameters views read directly (issue 9.9).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = list(request.GET.lists())
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in fields):
            return HttpResponseBadRequest(gettext("Yêu cầu có ký tự không hợp lệ."),
                                          content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def body_limit_for(url_name: str) -> int:
    """The largest request body (bytes) accepted for the URL named ``url_name``
    (``"namespace:name"``; ``""`` when no URL matches).

    Pages that take attachments: ``SANGKIEN_ATTACHMENT_MAX_FILES`` ×
    ``SANGKIEN_ATTACHMENT_MAX_BYTES`` + ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the
    form's text); the import upload: ``SANGKIEN_IMPORT_MAX_UPLOAD_BYTES`` + 1 MB; every other page:
    ``SANGKIEN_MAX_BODY_BYTES``.
    """
    if url_name in settings.SANGKIEN_ATTACHMENT_URL_NAMES:
        return (settings.SANGKIEN_ATTACHMENT_MAX_FILES * settings.SANGKIEN_ATTACHMENT_MAX_BYTES
                + settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if url_name == "imports:upload":
        return settings.SANGKIEN_IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024
    return settings.SANGKIEN_MAX_BODY_BYTES


class RequestBodyLimitMiddleware:
    """Answer 413 (``413.html``, translated) to a request whose declared body is
    larger than its page takes (:func:`body_limit_for`), before any byte of it is read.

    Django's own limits do not cover this: ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    counts only the non-file fields, so a 200 MB file was streamed to a
    temporary file before the form refused it (issue 9 item 10).  A body sent
    without ``Content-Length`` (chunked) is read by Django's WSGI handler as
    empty (``LimitedStream`` of length 0), so it cannot pass the cap either.
    The web server caps bodies first (nginx ``client_max_body_size``,
    docs/deployment.md).  Must come before any middleware that reads
    ``request.POST`` (CSRF's ``process_view`` does).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > 0:
            try:
                url_name = resolve(request.path_info).view_name
            except Resolver404:
                url_name = ""
            limit = body_limit_for(url_name)
            if declared > limit:
                return render(request, "413.html", {"limit_mb": max(limit // (1024 * 1024), 1)}, status=413)
        return self.get_response(request)


#: The session's kind and times, written at sign-in by sangkien.accounts.sessions.stamp_session:
#: ``{"kind": "officer" | "member", "auth_at": <Unix seconds>, "seen_at": <Unix seconds>}``.
SESSION_STATE_KEY = "sangkien_session"
#: How often (seconds) the last-seen time is rewritten: each rewrite saves the session.
OFFICER_SEEN_STEP = 60
MEMBER_SEEN_STEP = 3600


class SessionTimeoutMiddleware:
    """Sign out an officer idle for ``SANGKIEN_SESSION_OFFICER_IDLE_MINUTES`` or signed in for more than
    ``SANGKIEN_SESSION_OFFICER_MAX_HOURS``, and a member not seen for ``SANGKIEN_SESSION_MEMBER_DAYS``
    (issue 9, item 12; docs/security.md).

    The limits are checked here, on the server, whatever the cookie says; the cookie's own lifetime follows
    them (sliding: each time the last-seen time is rewritten the session is saved with a new expiry).  A
    session from before these stamps existed is stamped now; as its sign-in time is unknown, an officer's is
    closed and a member's never counts as a recent authentication.  Goes after the authentication and
    message middleware.  Who is an officer is decided by ``SANGKIEN_SESSION_KIND_CALLABLE``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.kind_of = import_string(settings.SANGKIEN_SESSION_KIND_CALLABLE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: object) -> None:
        current = clock.now().timestamp()
        state = request.session.get(SESSION_STATE_KEY)
        if not isinstance(state, dict) or not isinstance(state.get("seen_at"), int | float):
            # unknown sign-in time (0): an officer's session is closed below
            state = {"kind": self.kind_of(user), "auth_at": 0, "seen_at": current}
            request.session[SESSION_STATE_KEY] = state
        officer = state.get("kind") == "officer"
        idle = current - state["seen_at"]
        if officer:
            limit = settings.SANGKIEN_SESSION_OFFICER_IDLE_MINUTES * 60
            since_login = current - (state.get("auth_at") or 0)
            expired = idle >= limit or since_login >= settings.SANGKIEN_SESSION_OFFICER_MAX_HOURS * 3600
        else:
            limit = settings.SESSION_COOKIE_AGE
            expired = idle >= limit
        if expired:
            logout(request)
            messages.info(request, gettext("Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại."))
            return
        if idle >= (OFFICER_SEEN_STEP if officer else MEMBER_SEEN_STEP) or (
                officer and request.session.get_expiry_age() > limit):
            request.session[SESSION_STATE_KEY] = {**state, "seen_at": current}
            request.session.set_expiry(int(limit))

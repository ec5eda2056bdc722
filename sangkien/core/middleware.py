"""Language: Vietnamese unless the person chose English with the switch; and the body-size cap.

Django's LocaleMiddleware follows the browser's Accept-Language, which on
most phones and office PCs here is English; the product decision is that
Vietnamese is the default, so only the language cookie (set by the switch in
the header) changes it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext


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
    form's text); the import upload: its 60 MB file + 1 MB; every other page:
    ``SANGKIEN_MAX_BODY_BYTES``.
    """
    if url_name in settings.SANGKIEN_ATTACHMENT_URL_NAMES:
        return (settings.SANGKIEN_ATTACHMENT_MAX_FILES * settings.SANGKIEN_ATTACHMENT_MAX_BYTES
                + settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if url_name == "imports:upload":
        from sangkien.imports.services import MAX_UPLOAD_BYTES

        return MAX_UPLOAD_BYTES + 1024 * 1024
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

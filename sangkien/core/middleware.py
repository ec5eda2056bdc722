"""Language: Vietnamese unless the person chose English with the switch.

Django's LocaleMiddleware follows the browser's Accept-Language, which on
most phones and office PCs here is English; the product decision is that
Vietnamese is the default, so only the language cookie (set by the switch in
the header) changes it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
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

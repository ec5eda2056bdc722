"""Turn allauth's ``RateLimited`` into a friendly 429 page instead of a 500."""

from __future__ import annotations

from collections.abc import Callable

from allauth.core.exceptions import RateLimited
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RateLimitedMiddleware:
    """Answer 429 with the ``429.html`` page when a view raises allauth's ``RateLimited``.

    allauth raises it, for example, when a code is asked for again too soon
    on its phone-verification step of sign-up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return render(request, "429.html", status=429)
        return None

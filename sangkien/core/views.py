"""Small site-wide views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` for browsers that ask for it: the SVG icon (resolved per
    request, so production's hashed static names work)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))

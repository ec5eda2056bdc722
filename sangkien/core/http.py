"""Request types for annotations (mypy): what the middleware adds to Django's request."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through ``django_htmx.middleware.HtmxMiddleware``
    (every request does: settings.MIDDLEWARE): ``request.htmx`` is truthy for an
    htmx call.  Used only in annotations; Django builds the real object."""

    htmx: HtmxDetails

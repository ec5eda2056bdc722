"""Unit links and QR codes: the fix for "picked the wrong upper-level union".

The page a link opens (``units:link``, ``/dv/CODE/``) lists the open
programmes, so its view is ``programmes.views.unit_link`` (programmes sit
above units); ``sangkien/urls.py`` mounts it in the ``units`` namespace.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.units.access import get_unit_for
from sangkien.units.models import Unit


def unit_link(unit: Unit) -> str:
    """The unit's public submission link (printed on posters and in QR codes)."""
    return settings.SANGKIEN_PUBLIC_URL.rstrip("/") + reverse("units:link", args=[unit.code])


def qr(request: HttpRequest, code: str) -> HttpResponse:
    """The unit link as an SVG QR code."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404
    qrcode = segno.make(unit_link(unit), error="m")
    buffer = io.BytesIO()
    qrcode.save(buffer, kind="svg", scale=8, border=2, dark="#111", xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
def poster(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A printable A4 poster: unit name, QR code, link and the three steps."""
    unit = get_unit_for(request.user, code, "units.print_poster")
    return render(request, "units/poster.html", {"unit": unit, "link": unit_link(unit),
                                                 "lineage": unit.lineage()[1:]})

"""Unit links and QR codes: the fix for "picked the wrong upper-level union"."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sangkien.programmes.models import Programme
from sangkien.units.access import get_unit_for
from sangkien.units.models import Unit


def unit_link(unit: Unit) -> str:
    """The unit's public submission link (printed on posters and in QR codes)."""
    return settings.SANGKIEN_PUBLIC_URL.rstrip("/") + reverse("units:link", args=[unit.code])


def open_programmes() -> list[Programme]:
    return [p for p in Programme.objects.filter(is_published=True).order_by("-pk") if p.open_phase()]


def get_linked_unit(code: str) -> Unit:
    """The active unit a printed link or QR code names.

    :raises Http404: no active unit has this code (message translated).
    """
    unit = Unit.objects.filter(code=code.strip(), is_active=True).first()
    if unit is None:
        raise Http404(_("Không có đơn vị nào với mã “%(code)s”. Đường link hoặc mã QR có thể đã cũ hoặc bị "
                        "gõ sai; hãy hỏi lại công đoàn cơ sở của bạn.") % {"code": code[:40]})
    return unit


def link(request: HttpRequest, code: str) -> HttpResponse:
    """``/dv/CODE/``: the landing page of a unit's link or QR code.

    A signed-in member with one open programme goes straight to its form
    with the unit chosen.  Anyone else sees the unit (with its parents) and
    the open programmes, with "Đăng ký" (sign up) as the main action and
    "Đăng nhập" (sign in) beside it, both returning to the form.  An unknown
    code gets our 404 page with a way back, DEBUG or not (issue 8 item 8).
    """
    try:
        unit = get_linked_unit(code)
    except Http404 as exc:
        return render(request, "404.html", {"message": str(exc)}, status=404)
    programmes = open_programmes()
    forms = [(p, reverse("initiatives:submit", args=[p.slug]) + "?" + urlencode({"don-vi": unit.code}))
             for p in programmes]
    if len(forms) == 1 and request.user.is_authenticated:
        return redirect(forms[0][1])
    return render(request, "units/link.html", {
        "unit": unit, "lineage": [u for u in unit.lineage()[1:] if u.pk != unit.pk],
        "choices": [{"programme": p, "form_url": url, "next": urlencode({"next": url}),
                     "phase": p.open_phase()} for p, url in forms],
    })


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
def poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable A4 poster: unit name, QR code, link and the three steps."""
    unit = get_unit_for(request.user, code, "units.print_poster")
    return render(request, "units/poster.html", {"unit": unit, "link": unit_link(unit),
                                                 "lineage": unit.lineage()[1:]})

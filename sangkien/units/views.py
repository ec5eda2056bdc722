"""Unit links and QR codes: the fix for "picked the wrong upper-level union".

The page a link opens (``units:link``, ``/dv/CODE/``) lists the open
programmes, so its view is ``programmes.views.unit_link`` (programmes sit
above units); ``sangkien/urls.py`` mounts it in the ``units`` namespace.
"""

from __future__ import annotations

import hashlib
import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.clock import now
from sangkien.units.access import get_unit_for
from sangkien.units.forms import PlanUploadForm
from sangkien.units.models import PlanStatus, ReorganisationPlan, Unit
from sangkien.units.plan_file import PlanFileRefused, read_plan
from sangkien.units.reorganisation import PlanRefused, PlanRow, apply_plan, preview_plan


def unit_link(unit: Unit) -> str:
    """The unit's public submission link (printed on posters and in QR codes)."""
    return settings.SANGKIEN_PUBLIC_URL.rstrip("/") + reverse("units:link", args=[unit.code])


def qr(request: HttpRequest, code: str) -> HttpResponse:
    """The unit link as an SVG QR code."""
    unit = Unit.objects.by_code(code)
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


@login_required
@require_http_methods(["GET", "POST"])
def reorganise(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Upload a reorganisation plan for ``code``'s subtree; a readable file becomes a plan to preview.

    Bad rows are listed with their line (nothing is kept); a file refused as a
    whole says why.  Needs ``units.reorganise`` (organising committee, or a
    province's unit administrator).
    """
    unit = get_unit_for(request.user, code, "units.reorganise")
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows, errors = read_plan(data, file_name=upload.name)
        except PlanFileRefused as refused:
            form.add_error("file", refused.message)
        else:
            if not rows and not errors:
                form.add_error("file", _("Tệp không có dòng nào."))
            elif not errors:
                plan = ReorganisationPlan.objects.create(
                    created_by=request.user, created_at=now(), scope=unit, file_name=upload.name[:255],
                    file_sha256=hashlib.sha256(data).hexdigest(), rows=[row.as_json() for row in rows])
                return redirect("units:reorganise_plan", code=unit.code, pk=plan.pk)
    plans = ReorganisationPlan.objects.filter(scope=unit).select_related("created_by")[:10]
    return render(request, "units/reorganise.html", {"unit": unit, "form": form, "errors": errors,
                                                     "plans": plans})


@login_required
@require_http_methods(["GET", "POST"])
def reorganise_plan(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """The preview of an uploaded plan, and its confirmation (POST, applied once: a second POST changes nothing)."""
    unit = get_unit_for(request.user, code, "units.reorganise")
    plan = ReorganisationPlan.objects.filter(pk=pk, scope=unit).select_related("created_by", "applied_by").first()
    if plan is None:
        raise Http404
    rows = [PlanRow.from_json(data) for data in plan.rows]
    if request.method == "POST" and plan.status != PlanStatus.APPLIED:
        try:
            done = apply_plan(rows=rows, actor=request.user, plan=plan, scope=unit)
        except PlanRefused:
            messages.error(request, _("Phương án có dòng không hợp lệ; chưa áp dụng gì."))
        else:
            if done.changes:
                messages.success(request, _("Đã áp dụng phương án."))
        return redirect("units:reorganise_plan", code=unit.code, pk=plan.pk)
    if request.method == "POST":
        messages.info(request, _("Phương án này đã được áp dụng."))
        return redirect("units:reorganise_plan", code=unit.code, pk=plan.pk)
    preview = None if plan.status == PlanStatus.APPLIED else preview_plan(rows=rows, actor=request.user, scope=unit)
    return render(request, "units/reorganise_plan.html", {"unit": unit, "plan": plan, "preview": preview})

"""Dashboards: counts, % of target and ranks for any unit; public and officer.  Their exports (XLSX, CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.sessions import recent_authentication_required
from sangkien.core.clock import local_now
from sangkien.core.exceptions import DomainError
from sangkien.imports.access import get_export_record_for
from sangkien.imports.models import ExportKind, ExportStatus, FileFormat
from sangkien.programmes.models import Programme
from sangkien.reports.counting import UnitTable
from sangkien.reports.counting import unit_table as live_unit_table
from sangkien.reports.exports import (
    build_inline_xlsx,
    csv_download,
    file_name,
    is_expired,
    start_export,
)
from sangkien.reports.forms import RANK_LABELS, DashboardFilter, ExportForm
from sangkien.reports.regroup import regrouped_table
from sangkien.reports.tasks import enqueue_export
from sangkien.units.access import get_unit_for, programme_day
from sangkien.units.models import Unit, UnitSuccession


def unit_table(**kwargs: Any) -> UnitTable:
    """The dashboard table from the configured source (``SANGKIEN_DASHBOARD_SOURCE``):
    live counting, or the roll-ups (which fall back to live counting until
    their first refresh)."""
    if settings.SANGKIEN_DASHBOARD_SOURCE == "rollups":
        from sangkien.reports.rollup import rollup_unit_table

        return rollup_unit_table(**kwargs)
    return live_unit_table(**kwargs)


def home(request: HttpRequest) -> HttpResponse:
    """Front page: programmes, their totals and the ranking of provinces."""
    programmes = list(Programme.objects.filter(is_published=True).select_related("organiser").order_by("-pk"))
    cards = []
    for programme in programmes:
        table = unit_table(programme=programme, unit=programme.organiser)
        cards.append({"programme": programme, "table": table, "open_phase": programme.open_phase(),
                      "top": [r for r in table.rows if r.code][:5]})
    return render(request, "reports/home.html", {"cards": cards})


def programme_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug, is_published=True)
    return redirect("reports:dashboard", slug=slug, code=programme.organiser.code)


def _tree_date(text: str | None) -> dt.date | None:
    """The ``cay`` query parameter (``2025-07-01``), or None when absent or not a date."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def dashboard(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The unit table; anyone sees counts, officers in scope get their tools.

    The programme counts on its own tree (codes resolve on its day); with
    ``?cay=YYYY-MM-DD`` the same figures are regrouped on the tree of that
    date (``code`` then names a unit of that tree; issue 11, docs/units.md).
    """
    programme = get_object_or_404(Programme, slug=slug, is_published=True)
    day = programme_day(programme)
    tree_as_of = _tree_date(request.GET.get("cay"))
    unit = Unit.objects.by_code(code, on=tree_as_of or day)
    if unit is None:
        raise Http404
    if not unit.path.startswith(programme.organiser.path):
        return redirect("reports:dashboard", slug=slug, code=programme.organiser.code)
    form = DashboardFilter(request.GET or None, programme=programme)
    phase = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    rank_by = "submitted"
    if form.is_bound and form.is_valid():
        phase = form.cleaned_data["giai_doan"]
        date_from = form.cleaned_data["tu_ngay"]
        date_to = form.cleaned_data["den_ngay"]
        rank_by = form.cleaned_data["xep_hang_theo"] or "submitted"
    if tree_as_of is not None:
        table = regrouped_table(programme=programme, unit=unit, tree_as_of=tree_as_of, phase=phase,
                                date_from=date_from, date_to=date_to, rank_by=rank_by)
    else:
        table = unit_table(programme=programme, unit=unit, phase=phase, date_from=date_from,
                           date_to=date_to, rank_by=rank_by)
    today = local_now().date()
    tree_changed = tree_as_of is not None or UnitSuccession.objects.filter(effective_on__gt=day,
                                                                          effective_on__lte=today).exists()
    lineage = [u for u in unit.lineage() if u.path.startswith(programme.organiser.path)]
    is_officer = request.user.has_perm("reports.view_officer_dashboard", unit)
    return render(request, "reports/dashboard.html", {
        "programme": programme, "unit": unit, "table": table, "form": form, "lineage": lineage,
        "is_officer": is_officer, "rank_label": RANK_LABELS[rank_by], "query": request.GET.urlencode(),
        "can_enter": request.user.has_perm("initiatives.enter_on_behalf", unit),
        "tree_as_of": tree_as_of, "tree_changed": tree_changed, "today": today, "programme_day": day,
        "query_today_tree": _with_tree(request, today), "query_own_tree": _with_tree(request, None),
    })


# -- exports -----------------------------------------------------------------------

def _asks_personal_data(request: HttpRequest) -> bool:
    """The download of an initiative list with phones and e-mails unmasked (``ca_nhan``):
    the only export that asks for the password again (a masked list holds no contact)."""
    return request.GET.get("tai", "").startswith("initiatives.") and bool(request.GET.get("ca_nhan"))


@login_required
@require_GET
@recent_authentication_required(when=lambda request, slug, code: _asks_personal_data(request))
def export(request: AuthenticatedHttpRequest, slug: str, code: str) -> HttpResponseBase:
    """The export page; with ``?tai=initiatives.xlsx`` (kind.format) the download itself."""
    unit = get_unit_for(request.user, code, "imports.export")
    programme = get_object_or_404(Programme.objects.select_related("organiser"), slug=slug, is_published=True)
    if not unit.path.startswith(programme.organiser.path):
        raise Http404
    query = request.GET.copy()
    kind, _dot, file_format = query.pop("tai", [""])[0].partition(".")
    personal_allowed = request.user.has_perm("imports.export_personal_data", unit)
    form = ExportForm(query or None, programme=programme, personal_allowed=personal_allowed)
    if kind in ExportKind.values and file_format in FileFormat.values and (not form.is_bound or form.is_valid()):
        try:
            record, background = start_export(user=request.user, programme=programme, unit=unit, kind=kind,
                                              file_format=file_format, filters=form.filters())
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc  # the form only offers what is allowed
        if background:
            enqueue_export(record.pk)
            return redirect("reports:export_record", pk=record.pk)
        if file_format == FileFormat.CSV:
            response = StreamingHttpResponse(csv_download(record, request.user), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{file_name(record)}"'
            return response
        return FileResponse(build_inline_xlsx(record, request.user), as_attachment=True, filename=file_name(record))
    return render(request, "reports/export.html", {
        "unit": unit, "programme": programme, "form": form, "query": query.urlencode(),
        "personal_allowed": personal_allowed,
        "can_log": request.user.has_perm("imports.view_log", unit),
    })


@login_required
@require_GET
def export_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A background export: progress, then the download link."""
    record = get_export_record_for(request.user, pk)
    if request.htmx and record.status != ExportStatus.RUNNING:
        return HttpResponseClientRefresh()
    return render(request, "reports/export_record.html", {
        "record": record, "ExportStatus": ExportStatus, "expired": is_expired(record),
        "can_download": record.user_id == request.user.pk and request.user.has_perm("imports.export", record.unit),
    })


@login_required
@require_GET
def export_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The file of a background export, for the person who made it, while they still hold the role
    that allowed it (checked now, not when it was made) and until it expires (then: the record page).

    :raises Http404: someone else's export, a role since revoked or narrowed, or no file.
    """
    record = get_export_record_for(request.user, pk)
    if record.user_id != request.user.pk or not request.user.has_perm("imports.export", record.unit):
        raise Http404
    if record.personal_data and not request.user.has_perm("imports.export_personal_data", record.unit):
        raise Http404
    if is_expired(record):
        return redirect("reports:export_record", pk=record.pk)
    if not record.file:
        raise Http404
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=file_name(record))


def _with_tree(request: HttpRequest, day: dt.date | None) -> str:
    """The current query string with ``cay`` set to ``day`` (or removed)."""
    query = request.GET.copy()
    query.pop("cay", None)
    if day is not None:
        query["cay"] = day.isoformat()
    return query.urlencode()

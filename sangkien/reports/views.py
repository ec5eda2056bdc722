"""Dashboards: counts, % of target and ranks for any unit; public and officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from sangkien.programmes.models import Programme
from sangkien.reports.counting import UnitTable
from sangkien.reports.counting import unit_table as live_unit_table
from sangkien.reports.forms import RANK_LABELS, DashboardFilter
from sangkien.units.models import Unit


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


def dashboard(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The unit table; anyone sees counts, officers in scope get their tools."""
    programme = get_object_or_404(Programme, slug=slug, is_published=True)
    unit = get_object_or_404(Unit, code=code)
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
    table = unit_table(programme=programme, unit=unit, phase=phase, date_from=date_from,
                       date_to=date_to, rank_by=rank_by)
    lineage = [u for u in unit.lineage() if u.path.startswith(programme.organiser.path)]
    is_officer = request.user.has_perm("reports.view_officer_dashboard", unit)
    return render(request, "reports/dashboard.html", {
        "programme": programme, "unit": unit, "table": table, "form": form, "lineage": lineage,
        "is_officer": is_officer, "rank_label": RANK_LABELS[rank_by], "query": request.GET.urlencode(),
        "can_enter": request.user.has_perm("initiatives.enter_on_behalf", unit),
    })

"""Dashboards: counts, % of target and ranks for any unit; public and officer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from sangkien.core.clock import local_now
from sangkien.programmes.models import Programme
from sangkien.reports.counting import UnitTable
from sangkien.reports.counting import unit_table as live_unit_table
from sangkien.reports.forms import RANK_LABELS, DashboardFilter
from sangkien.reports.regroup import regrouped_table
from sangkien.units.access import programme_day
from sangkien.units.models import Unit, UnitSuccession


def unit_table(**kwargs) -> UnitTable:
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
    phase = date_from = date_to = None
    rank_by = "submitted"
    if form.is_bound and form.is_valid():
        phase = form.cleaned_data["giai_doan"]
        date_from: dt.date | None = form.cleaned_data["tu_ngay"]
        date_to: dt.date | None = form.cleaned_data["den_ngay"]
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


def _with_tree(request: HttpRequest, day: dt.date | None) -> str:
    """The current query string with ``cay`` set to ``day`` (or removed)."""
    query = request.GET.copy()
    query.pop("cay", None)
    if day is not None:
        query["cay"] = day.isoformat()
    return query.urlencode()

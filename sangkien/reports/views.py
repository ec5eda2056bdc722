"""Dashboards: counts, % of target and ranks for any unit; public and officer."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from sangkien.initiatives.forms import DATE_FORMATS, DATE_WIDGET
from sangkien.programmes.models import Phase, Programme
from sangkien.reports.counting import RANK_FIELDS, UnitTable
from sangkien.reports.counting import unit_table as live_unit_table
from sangkien.units.models import Unit

RANK_LABELS = {
    "submitted": _("Số sáng kiến"), "approved": _("Số được thông qua"),
    "participants": _("Số người tham gia"), "benefit_vnd": _("Giá trị làm lợi"),
    "pct_of_target": _("% chỉ tiêu"),
}


def unit_table(**kwargs) -> UnitTable:
    """The dashboard table from the configured source (``SANGKIEN_DASHBOARD_SOURCE``):
    live counting, or the roll-ups (which fall back to live counting until
    their first refresh)."""
    if settings.SANGKIEN_DASHBOARD_SOURCE == "rollups":
        from sangkien.reports.rollup import rollup_unit_table

        return rollup_unit_table(**kwargs)
    return live_unit_table(**kwargs)


class DashboardFilter(forms.Form):
    giai_doan = forms.ModelChoiceField(label=_("Giai đoạn"), queryset=Phase.objects.none(), required=False,
                                       empty_label=_("Cả chương trình"))
    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS,
                              widget=DATE_WIDGET)
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS,
                               widget=DATE_WIDGET)
    xep_hang_theo = forms.ChoiceField(label=_("Xếp hạng theo"), required=False,
                                      choices=[(k, RANK_LABELS[k]) for k in RANK_FIELDS])

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["giai_doan"].queryset = programme.phases.all()

    def clean(self):
        data = super().clean()
        if data.get("tu_ngay") and data.get("den_ngay") and data["tu_ngay"] > data["den_ngay"]:
            self.add_error("den_ngay", _("“Đến ngày” phải sau “Từ ngày”."))
        return data


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
    phase = date_from = date_to = None
    rank_by = "submitted"
    if form.is_bound and form.is_valid():
        phase = form.cleaned_data["giai_doan"]
        date_from: dt.date | None = form.cleaned_data["tu_ngay"]
        date_to: dt.date | None = form.cleaned_data["den_ngay"]
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

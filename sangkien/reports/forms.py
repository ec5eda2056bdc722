"""Forms of the dashboards: the filter (phase, dates, ranking) that the exports reuse."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.initiatives.forms import DATE_FORMATS, DATE_WIDGET
from sangkien.programmes.models import Phase, Programme
from sangkien.reports.counting import RANK_FIELDS

RANK_LABELS = {
    "submitted": _("Số sáng kiến"), "approved": _("Số được thông qua"),
    "participants": _("Số người tham gia"), "benefit_vnd": _("Giá trị làm lợi"),
    "pct_of_target": _("% chỉ tiêu"),
}


class DashboardFilter(forms.Form):
    """A dashboard's filter: phase, local dates (both included) and what ranks the units."""

    giai_doan = forms.ModelChoiceField(label=_("Giai đoạn"), queryset=Phase.objects.none(), required=False,
                                       empty_label=_("Cả chương trình"))
    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS,
                              widget=DATE_WIDGET)
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS,
                               widget=DATE_WIDGET)
    xep_hang_theo = forms.ChoiceField(label=_("Xếp hạng theo"), required=False,
                                      choices=[(k, RANK_LABELS[k]) for k in RANK_FIELDS])

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase_field = cast("forms.ModelChoiceField[Phase]", self.fields["giai_doan"])
        phase_field.queryset = programme.phases.all()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("tu_ngay") and data.get("den_ngay") and data["tu_ngay"] > data["den_ngay"]:
            self.add_error("den_ngay", _("“Đến ngày” phải sau “Từ ngày”."))
        return data

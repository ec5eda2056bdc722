"""Forms of the dashboards and exports: the filter (phase, dates, ranking) and the export form that reuses it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.initiatives.forms import DATE_FORMATS, DATE_WIDGET
from sangkien.initiatives.models import Status
from sangkien.programmes.models import Phase, Programme
from sangkien.reports.counting import RANK_FIELDS
from sangkien.reports.exports import ExportFilters

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


#: Fields of the personal-data choice (shown apart from the filters).
PERSONAL_FIELDS = ("ca_nhan", "muc_dich")


class ExportForm(DashboardFilter):
    """The dashboard's filters (same names, so its query string carries over) plus a status, and
    the personal-data choice: phones and e-mails are masked unless ``ca_nhan`` is ticked with a
    stated purpose (``muc_dich``) by an officer who may (``personal_allowed``: the permission
    ``imports.export_personal_data`` on the unit, docs/roles.md)."""

    trang_thai = forms.ChoiceField(label=_("Trạng thái"), required=False,
                                   choices=[("", _("Mọi trạng thái")), *Status.choices])
    ca_nhan = forms.BooleanField(
        label=_("Ghi đủ số điện thoại và e-mail của tác giả"), required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "ca-nhan-help"}),
        help_text=_("Chỉ khi công việc cần liên hệ tác giả. Lần tải được ghi lại và tác giả xem được "
                    "ai đã tải danh sách có dữ liệu của mình."))
    muc_dich = forms.CharField(label=_("Mục đích sử dụng"), required=False, max_length=300, strip=True,
                               widget=forms.TextInput(attrs={"aria-describedby": "muc-dich-help"}),
                               help_text=_("Ví dụ: gọi điện mời tác giả nhận khen thưởng."))

    def __init__(self, *args: Any, personal_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.personal_allowed = personal_allowed
        if not personal_allowed:
            for name in PERSONAL_FIELDS:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.personal_allowed and data.get("ca_nhan") and not data.get("muc_dich"):
            self.add_error("muc_dich", _("Hãy ghi mục đích sử dụng số điện thoại và e-mail."))
        return data

    def filter_fields(self) -> list[Any]:
        """The bound fields of the filters (without the personal-data choice)."""
        return [self[name] for name in self.fields if name not in PERSONAL_FIELDS]

    def filters(self) -> ExportFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_bound and self.is_valid() else {}
        phase = data.get("giai_doan")
        personal = bool(self.personal_allowed and data.get("ca_nhan") and data.get("muc_dich"))
        return ExportFilters(status=data.get("trang_thai") or "", phase_id=phase.pk if phase else None,
                             date_from=data.get("tu_ngay"), date_to=data.get("den_ngay"),
                             rank_by=data.get("xep_hang_theo") or "submitted",
                             personal_data=personal, purpose=data.get("muc_dich", "") if personal else "")

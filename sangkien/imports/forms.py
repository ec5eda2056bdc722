"""Forms of the import and export pages: they parse; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.imports.exports import ExportFilters
from sangkien.imports.models import SaveMode
from sangkien.initiatives.models import Status
from sangkien.reports.views import DashboardFilter


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx) hoặc CSV"),
        help_text=_("Dùng tệp mẫu ở trên; tối đa 60 MB. Tệp .xls cũ: mở bằng Excel rồi lưu lại dưới dạng .xlsx."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(choices=SaveMode.choices)


class ExportForm(DashboardFilter):
    """The dashboard's filters (same names, so its query string carries over) plus a status."""

    trang_thai = forms.ChoiceField(label=_("Trạng thái"), required=False,
                                   choices=[("", _("Mọi trạng thái")), *Status.choices])

    def filters(self) -> ExportFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_bound and self.is_valid() else {}
        phase = data.get("giai_doan")
        return ExportFilters(status=data.get("trang_thai") or "", phase_id=phase.pk if phase else None,
                             date_from=data.get("tu_ngay"), date_to=data.get("den_ngay"),
                             rank_by=data.get("xep_hang_theo") or "submitted")

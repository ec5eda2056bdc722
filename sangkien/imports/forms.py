"""Forms of the import and export pages: they parse; services write."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sangkien.imports.models import SaveMode
from sangkien.initiatives.models import Status
from sangkien.reports.exports import ExportFilters
from sangkien.reports.forms import DashboardFilter

#: First bytes of files that are not text: zip (.xlsx, .docx), OLE2 (.xls, .doc), PDF.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx) hoặc CSV"),
        help_text=_("Dùng tệp mẫu ở trên; tối đa 60 MB. Tệp .xls cũ: mở bằng Excel rồi lưu lại dưới dạng .xlsx."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        """The file, if its bytes are what its name says: an .xlsx is a zip holding a
        workbook, a .csv is text (no NUL byte in its first 64 KB, and not a zip, an
        OLE2 file or a PDF).  Other names are left to ``services.file_format_of``.

        :raises ValidationError: naming the file, when the bytes disagree.
        """
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        upload.seek(0)
        head = upload.read(64 * 1024)
        upload.seek(0)
        if name.endswith(".xlsx") and not _is_workbook(upload):
            raise ValidationError(_("Tệp “%(name)s” không phải là tệp Excel .xlsx thật (có thể là tệp khác bị đổi "
                                    "tên). Hãy mở bằng Excel rồi lưu lại dưới dạng .xlsx."),
                                  params={"name": upload.name})
        if name.endswith(".csv") and (b"\x00" in head or head.startswith(BINARY_SIGNATURES)):
            raise ValidationError(_("Tệp “%(name)s” không phải là tệp CSV (văn bản). Nếu đó là tệp Excel, hãy lưu "
                                    "dưới dạng .xlsx."), params={"name": upload.name})
        return upload


def _is_workbook(upload: Any) -> bool:
    """Whether ``upload`` is a zip holding an Excel workbook (reads the zip's directory only)."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(choices=SaveMode.choices)


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

"""Forms of the import pages: they parse; services write."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sangkien.imports.models import SaveMode

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

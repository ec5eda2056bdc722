"""Bulk entry and exports: one row per import (``ImportJob``) and per export
(``ExportRecord``) — who, when, which unit's subtree, how many rows.

Uploaded files and result workbooks live under ``MEDIA_ROOT/imports/`` and
``MEDIA_ROOT/exports/``; they are never served publicly, only through the
permission-checked views of this app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now


class JobStatus(models.TextChoices):
    """Stages of the pipeline: upload → check → preview → confirm → save."""

    QUEUED = "queued", _("Đang chờ kiểm tra")
    CHECKING = "checking", _("Đang kiểm tra")
    CHECKED = "checked", _("Đã kiểm tra, chờ xác nhận")
    HELD = "held", _("Chờ cấp trên xác nhận")
    SAVING = "saving", _("Đang lưu")
    SAVED = "saved", _("Đã lưu")
    REJECTED = "rejected", _("Không lưu (tệp còn lỗi)")
    CANCELLED = "cancelled", _("Đã huỷ")
    FAILED = "failed", _("Lỗi hệ thống")
    REFUSED = "refused", _("Cấp trên không xác nhận")


class SaveMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("Chỉ lưu khi cả tệp không còn lỗi")
    VALID_ONLY = "valid", _("Lưu các dòng hợp lệ, bỏ qua dòng lỗi")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"


def import_upload_path(instance: ImportJob, filename: str) -> str:
    stamp = now().strftime("%Y/%m")
    return f"imports/{stamp}/{instance.file_sha256[:16]}-{filename}"


def import_result_path(instance: ImportJob, filename: str) -> str:
    stamp = now().strftime("%Y/%m")
    return f"imports/{stamp}/result-{instance.pk}-{filename}"


def import_rows_path(instance: ImportJob, filename: str) -> str:
    stamp = now().strftime("%Y/%m")
    return f"imports/{stamp}/rows-{instance.pk}-{filename}"


class ImportJob(models.Model):
    """One uploaded file of initiatives for ``unit``'s subtree in ``programme``.

    ``report`` holds the outcome of the last pass (shape in
    :mod:`sangkien.imports.services`): per-row errors, rows already saved,
    a sample of valid rows.  Counters are rows of the data sheet (example
    rows and blank rows are not counted).  An import larger than plausible
    for its unit is ``held`` after checking (``hold`` holds the figures of
    :class:`sangkien.initiatives.plausibility.Hold`) until an officer of the
    level above confirms it (then it saves as usual) or refuses it
    (``hold_refusal``).
    """

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    phase = models.ForeignKey("programmes.Phase", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="import_jobs",
                             verbose_name=_("đơn vị"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người nhập"))
    source = models.CharField(max_length=16, default="web")  # "web" or "command"
    created_at = models.DateTimeField(_("lúc tải lên"), default=now, db_index=True)
    finished_at = models.DateTimeField(_("lúc xong"), null=True, blank=True)

    file = models.FileField(upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_format = models.CharField(max_length=8, choices=FileFormat.choices)
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, db_index=True)

    status = models.CharField(_("trạng thái"), max_length=16, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    mode = models.CharField(_("cách lưu"), max_length=8, choices=SaveMode.choices, blank=True)
    message = models.TextField(_("thông báo"), blank=True)

    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    rows_valid = models.PositiveIntegerField(_("dòng hợp lệ"), default=0)
    rows_invalid = models.PositiveIntegerField(_("dòng lỗi"), default=0)
    rows_existing = models.PositiveIntegerField(_("dòng đã có"), default=0)
    rows_saved = models.PositiveIntegerField(_("đã lưu"), default=0)
    report = models.JSONField(default=dict, blank=True)
    result_file = models.FileField(upload_to=import_result_path, max_length=300, blank=True)
    rows_file = models.FileField(upload_to=import_rows_path, max_length=300, blank=True,
                                 help_text="checked rows, JSON lines (sangkien.imports.staging)")
    # Plausibility hold (issue 9 item 8, sangkien.imports.holds): the rule's figures, who decided, why not.
    hold = models.JSONField(default=dict, blank=True)
    held_at = models.DateTimeField(_("giữ chờ xác nhận lúc"), null=True, blank=True)
    hold_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("người xác nhận"))
    hold_decided_at = models.DateTimeField(null=True, blank=True)
    hold_refusal = models.TextField(_("lý do không xác nhận"), blank=True)

    class Meta:
        verbose_name = _("lần nhập từ tệp")
        verbose_name_plural = _("các lần nhập từ tệp")
        indexes = [models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.SAVING)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SAVED, JobStatus.REJECTED, JobStatus.CANCELLED, JobStatus.FAILED,
                               JobStatus.REFUSED)

    @property
    def scope_unit(self) -> Any:
        """For permission predicates: a job is in the scope of its unit."""
        return self.unit


class ExportKind(models.TextChoices):
    INITIATIVES = "initiatives", _("Danh sách sáng kiến")
    UNIT_TABLE = "unit_table", _("Bảng thống kê theo đơn vị")


class ExportStatus(models.TextChoices):
    RUNNING = "running", _("Đang tạo tệp")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi hệ thống")
    EXPIRED = "expired", _("Đã hết hạn, tệp đã xoá")


def export_path(instance: ExportRecord, filename: str) -> str:
    stamp = now().strftime("%Y/%m")
    return f"exports/{stamp}/{instance.pk}-{filename}"


class ExportRecord(models.Model):
    """One download of a list or a dashboard: who, when, which subtree, rows.

    ``filters`` are the filters the list was exported with (status, phase,
    dates…); ``personal_data`` says whether phones and e-mails were written
    unmasked.  ``file`` is set only for exports built in the background.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("người tải"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="export_records",
                             verbose_name=_("đơn vị"))
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại"), max_length=16, choices=ExportKind.choices)
    file_format = models.CharField(_("định dạng"), max_length=8, choices=FileFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    personal_data = models.BooleanField(_("có dữ liệu cá nhân"), default=False)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    status = models.CharField(_("trạng thái"), max_length=16, choices=ExportStatus.choices,
                              default=ExportStatus.RUNNING)
    created_at = models.DateTimeField(_("lúc tải"), default=now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)

    class Meta:
        verbose_name = _("lần xuất dữ liệu")
        verbose_name_plural = _("các lần xuất dữ liệu")
        indexes = [models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.file_format}"

    @property
    def scope_unit(self) -> Any:
        return self.unit

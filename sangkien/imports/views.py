"""Officer pages: template, upload, preview, confirm, result; exports; the log."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.sessions import recent_authentication_required
from sangkien.core.exceptions import DomainError
from sangkien.imports import holds, progress, services
from sangkien.imports.exports import (
    build_inline_xlsx,
    csv_download,
    file_name,
    is_expired,
    start_export,
)
from sangkien.imports.forms import ConfirmForm, ExportForm, UploadForm
from sangkien.imports.models import (
    ExportKind,
    ExportRecord,
    ExportStatus,
    FileFormat,
    ImportJob,
    JobStatus,
)
from sangkien.imports.tasks import enqueue_check, enqueue_export, enqueue_save
from sangkien.imports.workbook import build_template
from sangkien.programmes.models import Programme
from sangkien.units.access import get_unit_for
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

#: Files up to this size are checked and saved while the officer waits; larger ones in the background.
INLINE_BYTES = 512 * 1024
ERRORS_SHOWN = 200


def get_job_for(user: User, pk: int) -> ImportJob:
    """The import ``pk`` if ``user`` may import for its unit, administers it,
    or may confirm it because it was held (an officer of the level above).

    :raises Http404: no such import, or out of the user's scope (not revealed).
    """
    job = (ImportJob.objects.select_related("programme", "unit", "created_by", "phase", "hold_decided_by")
           .filter(pk=pk).first())
    if job is None or not (user.has_perm("imports.import_initiatives", job.unit)
                           or user.has_perm("imports.view_log", job.unit)
                           or (job.held_at is not None and user.has_perm("imports.confirm_held", job))):
        raise Http404
    return job


def _programme(slug: str) -> Programme:
    return get_object_or_404(Programme.objects.select_related("organiser"), slug=slug, is_published=True)


@login_required
@require_GET
def template(request: AuthenticatedHttpRequest, code: str, slug: str) -> HttpResponse:
    """The programme's Excel template for the officer's unit."""
    unit = get_unit_for(request.user, code, "imports.import_initiatives")
    programme = _programme(slug)
    buffer = io.BytesIO()
    build_template(buffer, programme=programme, phase=programme.open_phase(), scope=unit)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mau-sang-kien-{unit.code}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, code: str, slug: str) -> HttpResponse:
    """Download the template; upload a filled file."""
    unit = get_unit_for(request.user, code, "imports.import_initiatives")
    programme = _programme(slug)
    phase = programme.open_phase()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            job = services.create_import_job(upload=upload_file, name=upload_file.name, programme=programme,
                                             unit=unit, actor=request.user)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if job.file_size <= INLINE_BYTES:
                services.check_job(job.pk)
            else:
                enqueue_check(job.pk)
            return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(unit=unit, programme=programme).select_related("created_by") \
        .order_by("-created_at")[:10]
    return render(request, "imports/upload.html", {
        "unit": unit, "programme": programme, "phase": phase, "form": form, "jobs": jobs,
        "can_log": request.user.has_perm("imports.view_log", unit),
    })


@login_required
@require_http_methods(["GET", "POST"])
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Progress, then the preview (errors, rows already saved, sample), then the result."""
    job = get_job_for(request.user, pk)
    can_import = request.user.has_perm("imports.import_initiatives", job.unit)
    can_confirm = job.status == JobStatus.HELD and request.user.has_perm("imports.confirm_held", job)
    action = request.POST.get("action")
    refusal = ""
    if request.method == "POST" and action in ("confirm-held", "refuse-held"):
        if not can_confirm:
            raise PermissionDenied
        refusal = request.POST.get("reason", "")
        try:
            if action == "refuse-held":
                _refuse_held(request, job, refusal)
            else:
                form = ConfirmForm(request.POST)
                job = holds.confirm_held_job(job=job, mode=form.cleaned_data["mode"] if form.is_valid() else "",
                                             actor=request.user)
                if job.rows_total <= services.INLINE_ROWS:
                    job = services.save_job(job.pk)  # entered by the uploader, confirmed by the actor
                    _announce(request, job)
                else:
                    enqueue_save(job.pk)
            return redirect("imports:job", pk=job.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            if action != "refuse-held":
                return redirect("imports:job", pk=job.pk)
    elif request.method == "POST":
        if not can_import:
            raise PermissionDenied
        try:
            if action == "cancel":
                services.cancel_job(job=job, actor=request.user)
                messages.success(request, _("Đã huỷ lần nhập; không dòng nào được lưu."))
            else:
                form = ConfirmForm(request.POST)
                mode = form.cleaned_data["mode"] if form.is_valid() else ""
                job = services.confirm_job(job=job, mode=mode, actor=request.user)
                if job.rows_total <= services.INLINE_ROWS:
                    job = services.save_job(job.pk, actor=request.user)
                    _announce(request, job)
                else:
                    enqueue_save(job.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("imports:job", pk=job.pk)
    report = job.report or {}
    errors = report.get("errors", [])
    return render(request, "imports/job.html", {
        "job": job, "unit": job.unit, "programme": job.programme, "can_import": can_import,
        "errors": _error_rows(errors[:ERRORS_SHOWN]), "errors_hidden": max(0, job.rows_invalid - ERRORS_SHOWN),
        "existing": report.get("existing", [])[:ERRORS_SHOWN], "sample": report.get("sample", []),
        "same_file": report.get("same_file"), "progress": progress.read(job.pk),
        "JobStatus": JobStatus, "can_confirm": can_confirm, "hold_reason": holds.describe(job),
        "level_above": _level_above(job), "refusal": refusal,
    })


def _refuse_held(request: AuthenticatedHttpRequest, job: ImportJob, reason: str) -> None:
    """Refuse a held import and say so (errors raise :class:`DomainError`)."""
    holds.refuse_held_job(job=job, reason=reason, actor=request.user)
    messages.success(request, _("Đã không xác nhận lần nhập; người nhập sẽ thấy lý do."))


def _level_above(job: ImportJob) -> Any:
    """The unit whose officers confirm a held ``job``: its unit's parent (the root: itself)."""
    if not job.held_at:
        return None
    return Unit.objects.get_parent(job.unit) or job.unit


def _error_rows(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from sangkien.imports.columns import BY_KEY

    out = []
    for item in errors:
        cells = [{"column": BY_KEY[c["column"]].title() if c["column"] in BY_KEY else "",
                  "message": c["message"]} for c in item["cells"]]
        out.append({"row": item["row"], "cells": cells})
    return out


def _announce(request: HttpRequest, job: ImportJob) -> None:
    if job.status == JobStatus.SAVED:
        messages.success(request, _("Đã lưu %(n)d sáng kiến.") % {"n": job.rows_saved})
    elif job.message:
        messages.error(request, job.message)


@login_required
@require_GET
def job_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx partial: the progress bar; reloads the page once the job has moved on."""
    job = get_job_for(request.user, pk)
    if not job.is_running:
        return HttpResponseClientRefresh()
    return render(request, "imports/_progress.html", {"job": job, "progress": progress.read(job.pk)})


@login_required
@require_GET
def job_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The result workbook (the file with the "errors" column), for whoever may see the job."""
    job = get_job_for(request.user, pk)
    if not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=services.result_name(job))


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
    programme = _programme(slug)
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
            return redirect("imports:export_record", pk=record.pk)
        if file_format == FileFormat.CSV:
            response = StreamingHttpResponse(csv_download(record, request.user), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{file_name(record)}"'
            return response
        return FileResponse(build_inline_xlsx(record, request.user), as_attachment=True, filename=file_name(record))
    return render(request, "imports/export.html", {
        "unit": unit, "programme": programme, "form": form, "query": query.urlencode(),
        "personal_allowed": personal_allowed,
        "can_log": request.user.has_perm("imports.view_log", unit),
    })


def _get_record_for(user: User, pk: int) -> ExportRecord:
    record = ExportRecord.objects.select_related("unit", "programme").filter(pk=pk).first()
    if record is None or not (record.user_id == user.pk or user.has_perm("imports.view_log", record.unit)):
        raise Http404
    return record


@login_required
@require_GET
def export_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A background export: progress, then the download link."""
    record = _get_record_for(request.user, pk)
    if request.htmx and record.status != ExportStatus.RUNNING:
        return HttpResponseClientRefresh()
    return render(request, "imports/export_record.html", {
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
    record = _get_record_for(request.user, pk)
    if record.user_id != request.user.pk or not request.user.has_perm("imports.export", record.unit):
        raise Http404
    if record.personal_data and not request.user.has_perm("imports.export_personal_data", record.unit):
        raise Http404
    if is_expired(record):
        return redirect("imports:export_record", pk=record.pk)
    if not record.file:
        raise Http404
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=file_name(record))


# -- the log ---------------------------------------------------------------------------

@login_required
@require_GET
def log(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Every import and export in the unit's subtree: who, when, scope, rows (unit administrators)."""
    unit = get_unit_for(request.user, code, "imports.view_log")
    imports = (ImportJob.objects.filter(unit__path__startswith=unit.path)
               .select_related("unit", "created_by", "programme").order_by("-created_at"))
    exports = (ExportRecord.objects.filter(unit__path__startswith=unit.path)
               .select_related("unit", "user", "programme").order_by("-created_at"))
    return render(request, "imports/log.html", {
        "unit": unit,
        "imports": Paginator(imports, 50).get_page(request.GET.get("trang-nhap")),
        "exports": Paginator(exports, 50).get_page(request.GET.get("trang-xuat")),
    })


"""Officer pages: template, upload, preview, confirm, result; the import and export log."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.exceptions import DomainError
from sangkien.imports import holds, progress, services
from sangkien.imports.access import get_job_for, restrict_exports, restrict_jobs
from sangkien.imports.forms import ConfirmForm, UploadForm
from sangkien.imports.models import ImportJob, JobStatus
from sangkien.imports.tasks import enqueue_check, enqueue_save
from sangkien.imports.workbook import build_template
from sangkien.programmes.models import Programme
from sangkien.units.access import get_unit_for, in_subtree
from sangkien.units.models import Unit

if TYPE_CHECKING:
    pass

#: Files up to this size are checked and saved while the officer waits; larger ones in the background.
INLINE_BYTES = 512 * 1024
ERRORS_SHOWN = 200


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
        "understood": report.get("understood", []), "same_file": report.get("same_file"), "progress": progress.read(job.pk),
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


# -- the log ---------------------------------------------------------------------------

@login_required
@require_GET
def log(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Every import and export in the unit's subtree: who, when, scope, rows (unit administrators)."""
    unit = get_unit_for(request.user, code, "imports.view_log")
    imports = (restrict_jobs(request.user, "log").filter(in_subtree(unit))
               .select_related("unit", "created_by", "programme").order_by("-created_at"))
    exports = (restrict_exports(request.user, "log").filter(in_subtree(unit))
               .select_related("unit", "user", "programme").order_by("-created_at"))
    return render(request, "imports/log.html", {
        "unit": unit,
        "imports": Paginator(imports, 50).get_page(request.GET.get("trang-nhap")),
        "exports": Paginator(exports, 50).get_page(request.GET.get("trang-xuat")),
    })


"""Member pages: submit, track, edit a returned initiative, download files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangkien.core.exceptions import DomainError
from sangkien.core.phone import display_phone
from sangkien.duplicates.services import ExactResubmission
from sangkien.duplicates.views import similar_for_form
from sangkien.initiatives.access import get_initiative_for
from sangkien.initiatives.forms import InitiativeDetailsForm, ReviewForm, SubmissionForm
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.services import resubmit_initiative, submit_initiative
from sangkien.programmes.models import Programme
from sangkien.units.chooser import UNLISTED, build_levels, codes_for, resolve_choice
from sangkien.units.models import Unit


def _root() -> Unit:
    return Unit.objects.get_first_root_node()


def _author_initial(user: Any) -> dict[str, Any]:
    person = getattr(user, "person", None)
    return {
        "author_full_name": user.full_name,
        "author_phone": display_phone(user.phone) if user.phone else "",
        "author_email": user.email or "",
        "author_job": getattr(person, "job", ""),
        "author_workplace": getattr(person, "workplace", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """The submission form; ``?don-vi=CODE`` preselects the unit (QR links)."""
    programme = get_object_or_404(Programme, slug=slug, is_published=True)
    root = _root()
    phase = programme.open_phase()
    preselected = None
    existing = similar = None
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, phase=phase)
        if form.is_valid():
            unit, unlisted, unit_error = resolve_choice(root, form.unit_codes())
            if unit_error:
                form.add_error(None, unit_error)
            else:
                try:
                    initiative, created = submit_initiative(
                        programme=programme, unit=unit, unit_unlisted=unlisted,
                        unit_unlisted_name=form.cleaned_data.get("unit_unlisted_name", ""),
                        details=form.details(), authors=form.authors(),
                        files=form.cleaned_data.get("attachments"), actor=request.user,
                        submission_token=form.cleaned_data["submission_token"],
                    )
                except ExactResubmission as exc:
                    form.add_error(None, exc.message)
                    existing = exc.existing
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    if created:
                        messages.success(request, _("Đã gửi sáng kiến. Mã theo dõi của bạn: %(code)s") % {
                            "code": initiative.tracking_code})
                    return redirect("initiatives:detail", code=initiative.tracking_code)
    else:
        initial = _author_initial(request.user)
        code = request.GET.get("don-vi", "")
        preselected = Unit.objects.filter(code=code, is_active=True).first() if code else None
        if preselected is not None and preselected.pk != root.pk:
            for number, unit_code in enumerate(codes_for(preselected, root), start=1):
                initial[f"unit_{number}"] = unit_code
        form = SubmissionForm(initial=initial, phase=phase)
    if request.method == "POST":  # re-displayed: show the similar ones without JavaScript too
        similar = similar_for_form(request.user, programme, request.POST.get("title", "")[:300],
                                   request.POST.get("description", "")[:100_000])
    levels = build_levels(root, form.unit_codes())
    chosen = [lv for lv in levels if lv.selected and lv.selected != UNLISTED]
    return render(request, "initiatives/submit.html", {
        "existing": existing, "similar": similar,
        "programme": programme, "phase": phase, "form": form, "levels": levels,
        "unlisted_chosen": any(lv.selected == UNLISTED for lv in levels),
        "unlisted_name": form.data.get("unit_unlisted_name", "") if form.is_bound else "",
        "preselected": preselected, "chosen_names": [dict(lv.options).get(lv.selected, "") for lv in chosen],
    })


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own initiatives with status and the reviewer's reason."""
    initiatives = (Initiative.objects.filter(submitted_by=request.user)
                   .select_related("programme", "unit", "duplicate_of").order_by("-submitted_at"))
    return render(request, "initiatives/mine.html", {"initiatives": initiatives})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """One initiative: status, history; personal data and review form by permission."""
    initiative = get_initiative_for(request.user, code)
    if initiative.duplicate_of_id:
        initiative.duplicate_of = Initiative.objects.select_related("unit").get(pk=initiative.duplicate_of_id)
    can_review = request.user.has_perm("initiatives.review", initiative)
    return render(request, "initiatives/detail.html", {
        "initiative": initiative,
        "authorships": initiative.authorships.select_related("person"),
        "history": initiative.history.select_related("actor"),
        "attachments": initiative.attachments.all(),
        "show_personal": request.user.has_perm("initiatives.view_personal_data", initiative),
        "can_review": can_review,
        "can_see_duplicates": request.user.has_perm("initiatives.list_unit", initiative),
        "review_form": ReviewForm(status=initiative.status) if can_review else None,
        "can_edit": initiative.status == Status.RETURNED
        and request.user.has_perm("initiatives.edit_returned", initiative),
    })


@login_required
@require_http_methods(["GET", "POST"])
def edit_returned(request: HttpRequest, code: str) -> HttpResponse:
    """The member completes an initiative returned for changes and sends it back."""
    initiative = get_initiative_for(request.user, code, "initiatives.edit_returned")
    if request.method == "POST":
        form = InitiativeDetailsForm(request.POST, phase=initiative.phase)
        if form.is_valid():
            try:
                resubmit_initiative(initiative=initiative, details=form.details(), actor=request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã gửi lại sáng kiến."))
                return redirect("initiatives:detail", code=initiative.tracking_code)
    else:
        initial = {name: getattr(initiative, name) for name in InitiativeDetailsForm.base_fields}
        initial["benefit_vnd"] = "" if initiative.benefit_vnd is None else f"{initiative.benefit_vnd:,}".replace(",", ".")
        form = InitiativeDetailsForm(initial=initial, phase=initiative.phase)
    return render(request, "initiatives/edit.html", {"initiative": initiative, "form": form})


def track(request: HttpRequest) -> HttpResponse:
    """Public look-up by tracking code: status and reason, no personal data."""
    code = (request.GET.get("ma") or "").strip().upper()
    initiative = None
    if code:
        initiative = (Initiative.objects.select_related("programme", "unit", "duplicate_of")
                      .filter(tracking_code=code).first())
    return render(request, "initiatives/track.html", {"code": code, "initiative": initiative})


@login_required
def attachment(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """Download an attachment: only for those who may see the initiative."""
    initiative = get_initiative_for(request.user, code, "initiatives.view_personal_data")
    item = get_object_or_404(initiative.attachments, pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


def unit_levels(request: HttpRequest) -> HttpResponse:
    """htmx partial: the unit chooser after a level changed or a search was typed."""
    codes = [request.GET.get(f"unit_{n}", "") for n in range(1, 5)]
    changed = int(request.GET.get("changed", "0") or 0)
    if changed:
        codes = [c if i < changed else "" for i, c in enumerate(codes)]
        codes[changed - 1] = request.GET.get(f"unit_{changed}", "")
    queries = {n: request.GET.get(f"q_{n}", "") for n in range(2, 5) if request.GET.get(f"q_{n}")}
    levels = build_levels(_root(), codes, queries)
    return render(request, "initiatives/_unit_chooser.html", {
        "levels": levels, "unlisted_chosen": any(lv.selected == UNLISTED for lv in levels),
        "unlisted_name": request.GET.get("unit_unlisted_name", "")})

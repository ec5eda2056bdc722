"""Officer pages: review queue, decisions, entry on a member's behalf."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.core.exceptions import DomainError
from sangkien.duplicates.services import ExactResubmission
from sangkien.initiatives.access import get_initiative_for, get_unit_for
from sangkien.initiatives.forms import ReviewForm, SubmissionForm
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.services import review_initiative, submit_initiative
from sangkien.programmes.models import Programme
from sangkien.roles.models import Role, RoleAssignment
from sangkien.roles.scope import role_paths, scope_filter
from sangkien.units.models import Unit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The officer's start page: the units they hold roles on, and what to do."""
    assignments = RoleAssignment.objects.filter(user=request.user).select_related("unit").order_by("unit__path")
    if not assignments:
        raise PermissionDenied
    programmes = Programme.objects.filter(is_published=True).order_by("-pk")
    waiting = (Initiative.objects.filter(scope_filter(request.user, [Role.REVIEWER]),
                                         status=Status.SUBMITTED).count())
    units: dict[int, dict] = {}
    for assignment in assignments:
        entry = units.setdefault(assignment.unit_id, {"unit": assignment.unit, "roles": [], "manage": False,
                                                      "enter": False})
        entry["roles"].append(assignment.get_role_display())
        entry["manage"] |= assignment.role in (Role.UNIT_ADMIN, Role.ORGANISING_COMMITTEE)
        entry["enter"] |= assignment.role in (Role.UNIT_ADMIN, Role.SUPPORT_TEAM, Role.ORGANISING_COMMITTEE)
    return render(request, "officer/home.html", {
        "units": list(units.values()), "programmes": programmes, "waiting": waiting,
    })


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Initiatives of the reviewer's subtree, waiting ones first."""
    programme = get_object_or_404(Programme, slug=slug)
    if not role_paths(request.user):
        raise PermissionDenied
    listable = scope_filter(request.user)
    status = request.GET.get("trang-thai", Status.SUBMITTED)
    qs = Initiative.objects.filter(listable, programme=programme)
    unit_code = request.GET.get("don-vi", "")
    unit = None
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None or not request.user.has_perm("initiatives.list_unit", unit):
            raise PermissionDenied
        qs = qs.filter(unit__path__startswith=unit.path)
    if status in Status.values:
        qs = qs.filter(status=status)
    qs = qs.select_related("unit").order_by("submitted_at", "pk")
    page = Paginator(qs, 25).get_page(request.GET.get("trang"))
    items = [(i, request.user.has_perm("initiatives.review", i)) for i in page]
    return render(request, "officer/queue.html", {
        "programme": programme, "page": page, "items": items, "status": status,
        "statuses": Status.choices, "unit": unit,
    })


@login_required
@require_POST
def review(request: HttpRequest, code: str) -> HttpResponse:
    """Record a decision; back to where the reviewer came from."""
    initiative = get_initiative_for(request.user, code, "initiatives.review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_initiative(initiative=initiative, decision=form.cleaned_data["decision"],
                              reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi nhận: “%(title)s” — %(status)s.") % {
                "title": initiative.title, "status": initiative.get_status_display()})
    else:
        messages.error(request, _("Hãy chọn quyết định."))
    next_url = request.POST.get("next") or ""
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("initiatives:detail", code=initiative.tracking_code)


@login_required
@require_http_methods(["GET", "POST"])
def enter_on_behalf(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """A grassroots officer or support-team member enters a member's initiative."""
    unit = get_unit_for(request.user, code, "initiatives.enter_on_behalf")
    programme = get_object_or_404(Programme, slug=slug, is_published=True)
    leaves = list(unit.subtree().filter(numchild=0, is_active=True).order_by("name")) or [unit]
    phase = programme.open_phase()
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, phase=phase)
        target = next((u for u in leaves if u.code == request.POST.get("target_unit")), None)
        if target is None and len(leaves) == 1:
            target = leaves[0]
        if form.is_valid():
            if target is None:
                form.add_error(None, _("Hãy chọn công đoàn cơ sở của người có sáng kiến."))
            else:
                try:
                    initiative, created = submit_initiative(
                        programme=programme, unit=target, unit_unlisted=False, details=form.details(),
                        authors=form.authors(), files=form.cleaned_data.get("attachments"),
                        actor=request.user, on_behalf=True,
                        submission_token=form.cleaned_data["submission_token"],
                    )
                except ExactResubmission as exc:
                    form.add_error(None, exc.message)
                    messages.info(request, _("Sáng kiến đã có: %(code)s") % {"code": exc.existing.tracking_code})
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    if created:
                        messages.success(request, _("Đã nhập hộ sáng kiến. Mã theo dõi: %(code)s — hãy gửi mã này cho tác giả.") % {
                            "code": initiative.tracking_code})
                    return redirect("initiatives:detail", code=initiative.tracking_code)
    else:
        form = SubmissionForm(phase=phase)
    return render(request, "officer/enter.html", {
        "unit": unit, "programme": programme, "phase": phase, "form": form, "leaves": leaves,
        "target_code": request.POST.get("target_unit", "") if request.method == "POST" else "",
    })

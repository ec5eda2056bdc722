"""Officer pages: home, review queue, decisions (one or in bulk), entry on a member's behalf."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import OperationalError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from sangkien.accesslog.services import record_access, record_accesses
from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.exceptions import DomainError
from sangkien.initiatives.access import get_initiative_for, restrict_initiatives
from sangkien.initiatives.forms import ReviewForm, SubmissionForm
from sangkien.initiatives.models import Initiative, InitiativeQuerySet, Status
from sangkien.initiatives.services import (
    BulkReviewRefused,
    bulk_review_refusal,
    review_initiative,
    review_initiatives,
    submit_initiative,
)
from sangkien.initiatives.text_checks import ExactResubmission
from sangkien.initiatives.views import busy, busy_message
from sangkien.programmes.models import Programme
from sangkien.review.forms import (
    ALL,
    MAX_BULK,
    MAX_UNIT_CHOICES,
    BulkReviewForm,
    QueueFilterForm,
    status_counts,
)
from sangkien.roles.access import holds_anywhere, restrict_units
from sangkien.roles.capabilities import CAPABILITIES, Capability
from sangkien.roles.models import RoleAssignment
from sangkien.roles.scope import is_whole_tree
from sangkien.units.access import get_unit_for, programme_day
from sangkien.units.chooser import Destination, names_above
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

logger = logging.getLogger(__name__)

def _programme_lines(user: User, programmes: list[Programme]) -> list[dict[str, Any]]:
    """Per programme, in ``user``'s scope: initiatives received, approved, waiting (two queries).

    Received and approved count the counted initiatives only
    (``Initiative.objects.counted()``: duplicates and held ones are left out);
    waiting counts every initiative still to decide, as the queue's tab does.

    Counted as every initiative by status (the ``(programme, status)`` index; ``COUNT(*)``, as
    a count of the ids would make PostgreSQL read each row for its id) less the few uncounted
    ones (the partial index ``initiative_uncounted``): no initiative's row is read, where
    filtered counts read every row of the scope — the whole programme for a national officer,
    0.9–1.8 s on SQLite at a quarter of the national corpus (issue 12).
    """
    scoped = restrict_initiatives(user, "list").filter(programme__in=programmes).order_by()
    figures = {p.pk: {"submitted": 0, "approved": 0, "waiting": 0} for p in programmes}
    for qs, sign in ((scoped, 1), (scoped.filter(InitiativeQuerySet.uncounted_filter()), -1)):
        for programme_id, status, n in qs.values_list("programme_id", "status").annotate(n=Count("*")):
            line = figures[programme_id]
            line["submitted"] += sign * n
            line["approved"] += sign * n if status == Status.APPROVED else 0
            line["waiting"] += n if sign == 1 and status == Status.SUBMITTED else 0
    return [{"programme": p, **figures[p.pk]} for p in programmes]


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The officer's start page: one line per programme, the units they hold roles on."""
    assignments = RoleAssignment.objects.filter(user=request.user).select_related("unit").order_by("unit__path")
    if not assignments:
        raise PermissionDenied
    programmes = list(Programme.objects.filter(is_published=True).order_by("-pk"))
    units: dict[int, dict] = {}
    for assignment in assignments:
        entry = units.setdefault(assignment.unit_id, {"unit": assignment.unit, "roles": [], "manage": False,
                                                      "enter": False})
        entry["roles"].append(assignment.get_role_display())
        entry["manage"] |= Capability.ADMINISTER in CAPABILITIES[assignment.role]
        entry["enter"] |= Capability.ENTER in CAPABILITIES[assignment.role]
    return render(request, "review/home.html", {
        "units": list(units.values()), "programmes": programmes,
        "lines": _programme_lines(request.user, programmes),
    })


def _filter_units(user: User) -> list[Unit] | None:
    """The units a reviewer may filter the queue by, tree order; ``None`` when too many to list."""
    scoped = restrict_units(user, "view").filter(is_active=True)
    listed = list(scoped.order_by("path")[:MAX_UNIT_CHOICES + 1])
    return None if len(listed) > MAX_UNIT_CHOICES else listed


class CountedPaginator(Paginator):
    """A :class:`~django.core.paginator.Paginator` given the number of objects it pages (counted
    already, e.g. by the queue's tabs), so it sends no ``COUNT`` of its own."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        """The number given, not counted again."""
        return self.known_count


@login_required
def queue(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Initiatives of the reviewer's subtree: search, filters, sorting, tabs with counts, bulk decision."""
    programme = get_object_or_404(Programme, slug=slug)
    if not holds_anywhere(request.user, Capability.SEE):
        raise PermissionDenied
    form = QueueFilterForm(request.GET, units=_filter_units(request.user))
    form.is_valid()  # invalid filters are shown and left out
    qs = restrict_initiatives(request.user, "list").filter(programme=programme)
    unit_code = (request.GET.get("don-vi") or "").strip()
    unit = None
    if unit_code:
        unit = Unit.objects.by_code(unit_code, on=programme_day(programme))
        if unit is None or not request.user.has_perm("initiatives.list_unit", unit):
            raise PermissionDenied
        if not is_whole_tree(request.user, unit.path):  # the only root's subtree: every initiative, no join
            qs = qs.in_subtree(unit)
    qs = form.apply(qs)
    counts = status_counts(qs)
    status = request.GET.get("trang-thai") or Status.SUBMITTED
    if status not in counts:
        status = Status.SUBMITTED
    if status != ALL:
        qs = qs.filter(status=status)
    qs = qs.select_related("unit", "field").order_by(*form.ordering())
    # the tab's count is the page list's: no second COUNT of the subtree (at the national level a
    # count of every initiative of the programme, issue 12)
    page = CountedPaginator(qs, 25, count=counts[status]).get_page(request.GET.get("trang"))
    items = [{"initiative": i,
              "can_decide": i.status == Status.SUBMITTED and request.user.has_perm("initiatives.review", i)}
             for i in page]
    keep = request.GET.copy()
    for name in ("trang", "trang-thai"):
        keep.pop(name, None)
    tabs = [{"value": value, "label": label, "count": counts[value]}
            for value, label in [*Status.choices, (ALL, _("Tất cả"))]]
    return render(request, "review/queue.html", {
        "programme": programme, "page": page, "items": items, "status": status, "tabs": tabs,
        "unit": unit, "form": form, "query": keep.urlencode(),
        "filter_fields": [form[name] for name in ("don-vi", "linh-vuc", "tu-ngay", "den-ngay", "loi-tu", "loi-den",
                                                  "cho-xac-nhan", "sap-xep")], "bulk_form": BulkReviewForm(),
        "any_decidable": any(item["can_decide"] for item in items),
    })


def _next_url(request: HttpRequest, fallback: str) -> str:
    """The posted ``next`` when it is a path on this site, else ``fallback``."""
    next_url = request.POST.get("next") or ""
    return next_url if next_url.startswith("/") and not next_url.startswith("//") else fallback


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(_next_url(request, fallback))


def _named(initiative: Initiative) -> str:
    return _("%(code)s “%(title)s”") % {"code": initiative.tracking_code, "title": initiative.title}


@login_required
@require_POST
def review(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Record a decision; back to where the reviewer came from.  Errors name the initiative."""
    initiative = get_initiative_for(request.user, code, "initiatives.review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_initiative(initiative=initiative, decision=form.cleaned_data["decision"],
                              reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, _("%(initiative)s: %(error)s") % {
                "initiative": _named(initiative), "error": exc.message})
        else:
            record_access(actor=request.user, kind="review", initiative=initiative, object_ref=initiative.tracking_code)
            messages.success(request, _("Đã ghi nhận: “%(title)s” — %(status)s.") % {
                "title": initiative.title, "status": initiative.get_status_display()})
    else:
        messages.error(request, _("%(initiative)s: %(error)s") % {
            "initiative": _named(initiative), "error": _("Hãy chọn quyết định.")})
    return _back(request, reverse("initiatives:detail", args=[initiative.tracking_code]))


@login_required
@require_POST
def bulk_review(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One decision and one reason for the initiatives ticked in the queue.

    First POST: a confirmation page listing what will be decided and what is
    refused (each named by tracking code and title, with why); a missing
    decision or reason is asked for there, the ticked initiatives kept.  The
    POST with ``xac-nhan`` applies the decision through ``review_initiatives``
    (each initiative reviewed and audited; all or nothing).
    """
    programme = get_object_or_404(Programme, slug=slug)
    if not holds_anywhere(request.user, Capability.REVIEW):
        raise PermissionDenied
    queue_url = reverse("review:queue", args=[programme.slug])
    codes = list(dict.fromkeys(c.strip() for c in request.POST.getlist("ma")
                               if c.strip() and "\x00" not in c))[:MAX_BULK]  # NUL: PostgreSQL refuses it (500)
    if not codes:
        messages.error(request, _("Hãy chọn ít nhất một sáng kiến."))
        return _back(request, queue_url)
    form = BulkReviewForm(request.POST)
    visible = {i.tracking_code: i for i in restrict_initiatives(request.user, "view")
               .filter(programme=programme, tracking_code__in=codes).select_related("unit")}
    missing = [c for c in codes if c not in visible]
    chosen = [visible[c] for c in codes if c in visible]
    context = {"programme": programme, "form": form, "accepted": chosen, "refused": [], "missing": missing,
               "next": _next_url(request, queue_url), "editing": not form.is_valid()}
    if context["editing"]:
        return render(request, "review/bulk_confirm.html", context)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    refused = [(i, msg) for i in chosen
               if (msg := bulk_review_refusal(initiative=i, decision=decision, reason=reason, actor=request.user))]
    if request.POST.get("xac-nhan") and not refused and not missing:
        try:
            review_initiatives(initiatives=chosen, decision=decision, reason=reason, actor=request.user)
        except BulkReviewRefused as exc:
            refused = exc.refused
        else:
            record_accesses(actor=request.user, kind="review", initiatives=chosen)
            messages.success(request, ngettext(
                "Đã ghi quyết định “%(decision)s” cho %(n)d sáng kiến.",
                "Đã ghi quyết định “%(decision)s” cho %(n)d sáng kiến.", len(chosen)) % {
                "decision": Status(decision).label, "n": len(chosen)})
            return _back(request, queue_url)
    refused_pks = {i.pk for i, _msg in refused}
    context.update({"decision_label": Status(decision).label, "reason": reason, "refused": refused,
                    "accepted": [i for i in chosen if i.pk not in refused_pks]})
    return render(request, "review/bulk_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enter_on_behalf(request: AuthenticatedHttpRequest, code: str, slug: str) -> HttpResponse:
    """A grassroots officer or support-team member enters a member's initiative."""
    unit = get_unit_for(request.user, code, "initiatives.enter_on_behalf")
    programme = get_object_or_404(Programme, slug=slug, is_published=True)
    leaves = list(unit.subtree().filter(numchild=0, is_active=True).order_by("name")) or [unit]
    phase = programme.open_phase()
    database_busy = False
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
                except OperationalError:
                    logger.warning("entry on behalf not saved: database busy", exc_info=True)
                    form.add_error(None, busy_message())
                    database_busy = True
                else:
                    if created:
                        messages.success(request, _("Đã nhập hộ sáng kiến. Mã theo dõi: %(code)s — hãy gửi mã này cho tác giả.") % {
                            "code": initiative.tracking_code})
                    return redirect("initiatives:detail", code=initiative.tracking_code)
    else:
        form = SubmissionForm(phase=phase)
    target_code = request.POST.get("target_unit", "") if request.method == "POST" else ""
    above = names_above(leaves)
    chosen = leaves[0] if len(leaves) == 1 else next((u for u in leaves if u.code == target_code), None)
    response = render(request, "review/enter.html", {
        "unit": unit, "programme": programme, "phase": phase, "form": form, "leaves": leaves,
        "target_code": target_code, "leaf_choices": [(u, ", ".join(above[u.pk])) for u in leaves],
        "destination": Destination(unit=chosen, above=above[chosen.pk] if chosen else [],
                                   change="id_target_unit" if len(leaves) > 1 else ""),
    })
    return busy(response) if database_busy else response

"""Pages and htmx panels of duplicate detection.

- the submit form's panel: the initiatives most like what the member types;
- an initiative's likely duplicates for officers, with "mark as duplicate";
- the programme's (or a unit subtree's) duplicate report, as a page and CSV.

What a viewer sees of a match depends on scope: inside their scope, the
initiative (link, main author); outside it, only its title, unit and
status — never personal data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.exceptions import DomainError
from sangkien.core.sanitise import clean_description
from sangkien.duplicates.report import duplicate_clusters, write_csv
from sangkien.duplicates.services import mark_duplicate, unmark_duplicate
from sangkien.duplicates.similar import rows_for, similar_for_form, similar_to
from sangkien.initiatives.access import get_initiative_for
from sangkien.initiatives.form_page import kept_open_programme
from sangkien.initiatives.models import Initiative
from sangkien.programmes.models import Programme
from sangkien.units.access import programme_day
from sangkien.units.models import Unit


@login_required
@require_POST
def submit_panel(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """htmx partial of the submit form: the most similar initiatives of the programme.

    Never blocks: the member reads it and decides whether to send.
    """
    programme, _phase = kept_open_programme(slug)  # the form page's kept programme: no query (issue 12)
    if programme is None:
        raise Http404
    title = (request.POST.get("title") or "")[:300]
    description = clean_description((request.POST.get("description") or "")[:100_000])
    similar = similar_for_form(user=request.user, programme_id=programme.pk, title=title, description=description)
    # Sent 2–4 times as a member types: rendered without the request, so without the context
    # processors (the navigation's role query) that the partial does not use (issue 12).
    return HttpResponse(render_to_string("duplicates/_submit_panel.html", {"similar": similar}))


@login_required
def matches(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An initiative's likely duplicates anywhere in the programme (officers).

    A partial for htmx (the review queue, the initiative page), a page
    without JavaScript.
    """
    initiative = get_initiative_for(request.user, code, "initiatives.list_unit")
    if initiative.duplicate_of_id:
        initiative.duplicate_of = Initiative.objects.select_related("unit").get(pk=initiative.duplicate_of_id)
    rows = rows_for(request.user, similar_to(initiative))
    context = {"initiative": initiative, "rows": rows,
               "can_mark": request.user.has_perm("duplicates.mark", initiative),
               "next": request.GET.get("next") or ""}
    template = "duplicates/_matches.html" if request.htmx else "duplicates/matches.html"
    return render(request, template, context)


def _back(request: HttpRequest, initiative: Initiative) -> HttpResponse:
    next_url = request.POST.get("next") or ""
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("initiatives:detail", code=initiative.tracking_code)


@login_required
@require_POST
def mark(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A reviewer marks the initiative as a duplicate of another of the programme.

    ``original`` is the other initiative's id (not its tracking code: the
    original may be outside the reviewer's scope, and a tracking code opens
    its public status page).
    """
    initiative = get_initiative_for(request.user, code, "duplicates.mark")
    original_id = (request.POST.get("original") or "").strip()
    original = (Initiative.objects.filter(programme_id=initiative.programme_id, pk=int(original_id)).first()
                if original_id.isdigit() else None)
    if original is None:
        messages.error(request, _("Hãy chọn sáng kiến gốc."))
        return _back(request, initiative)
    try:
        mark_duplicate(initiative=initiative, original=original, reason=request.POST.get("reason", ""),
                       actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đánh dấu “%(title)s” là trùng; chỉ sáng kiến gốc được tính.")
                         % {"title": initiative.title})
    return _back(request, initiative)


@login_required
@require_POST
def unmark(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Undo a "duplicate" mark: the initiative is counted again."""
    initiative = get_initiative_for(request.user, code, "duplicates.mark")
    try:
        unmark_duplicate(initiative=initiative, reason=request.POST.get("reason", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã bỏ đánh dấu trùng."))
    return _back(request, initiative)


@login_required
def report(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Clusters of near-duplicates in the programme or a unit's subtree, largest first.

    ``?don-vi=CODE`` narrows to a subtree (default: the organiser's, i.e.
    the whole programme); ``?format=csv`` downloads it.

    :raises PermissionDenied: the user holds no role over that unit.
    """
    programme = get_object_or_404(Programme, slug=slug)
    code = request.GET.get("don-vi") or programme.organiser.code
    unit = Unit.objects.by_code(code, on=programme_day(programme))
    if unit is None or not unit.path.startswith(programme.organiser.path):
        raise Http404
    if not request.user.has_perm("duplicates.view_report", unit):
        raise PermissionDenied
    clusters = duplicate_clusters(programme=programme, unit=unit)
    if request.GET.get("format") == "csv":
        return _csv(programme, unit, clusters)
    return render(request, "duplicates/report.html", {
        "programme": programme, "unit": unit, "clusters": clusters,
        "members": sum(len(c.members) for c in clusters),
    })


def _csv(programme: Programme, unit: Unit, clusters: list[Any]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trung-lap-{programme.slug}-{unit.code}-{stamp}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    write_csv(response, clusters)
    return response

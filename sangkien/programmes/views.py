"""Unit administrators set the targets of their unit and its children; a unit link's landing page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.exceptions import DomainError
from sangkien.programmes.models import Programme, Target
from sangkien.programmes.predicates import phase_is_open
from sangkien.programmes.services import set_targets
from sangkien.units.access import get_linked_unit, get_unit_for
from sangkien.units.models import Unit


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: AuthenticatedHttpRequest, code: str, slug: str) -> HttpResponse:
    """One number per unit (the unit itself and each child) for a phase or the programme.

    Each input is named ``u<unit pk>`` (the pk rendered unlocalised); a unit
    whose input is missing from the POST keeps its target; a POST with no
    recognised input is refused with a message rather than "saved".
    """
    unit = get_unit_for(request.user, code, "units.manage")
    programme = get_object_or_404(Programme, slug=slug)
    phase_number = request.GET.get("giai-doan") or request.POST.get("giai-doan") or ""
    phase = programme.phases.filter(number=phase_number).first() if phase_number.isdigit() else None
    units = [unit, *Unit.objects.get_children(unit).filter(is_active=True)]
    current = dict(Target.objects.filter(programme=programme, phase=phase, unit__in=units)
                   .values_list("unit_id", "value"))
    errors: dict[int, str] = {}
    if request.method == "POST":
        values: dict[int, int | None] = {}
        for item in units:
            if f"u{item.pk}" not in request.POST:
                continue  # a field the page did not send is left as it is, never cleared
            raw = (request.POST.get(f"u{item.pk}") or "").replace(".", "").replace(",", "").strip()
            if not raw:
                values[item.pk] = None
            elif raw.isdigit() and int(raw) <= 10_000_000:
                values[item.pk] = int(raw)
            else:
                errors[item.pk] = _("Nhập một số nguyên không âm.")
        if not values and not errors:
            messages.error(request, _("Không đọc được chỉ tiêu nào từ trang này; hãy tải lại trang rồi nhập lại."))
        elif not errors:
            try:
                changed = set_targets(programme=programme, phase=phase, unit=unit, values=values,
                                      actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã lưu %(n)d chỉ tiêu.") % {"n": changed})
                url = request.path + (f"?giai-doan={phase.number}" if phase else "")
                return redirect(url)
    rows = [{"unit": item, "value": request.POST.get(f"u{item.pk}", current.get(item.pk, ""))
             if request.method == "POST" else current.get(item.pk, ""), "error": errors.get(item.pk)}
            for item in units]
    return render(request, "programmes/targets.html", {
        "unit": unit, "programme": programme, "phase": phase, "phases": programme.phases.all(), "rows": rows,
    })


def open_programmes() -> list[Programme]:
    """The published programmes with a phase open now, newest first."""
    return [p for p in Programme.objects.filter(is_published=True).order_by("-pk") if phase_is_open(None, p)]


def unit_link(request: HttpRequest, code: str) -> HttpResponse:
    """``/dv/CODE/`` (URL name ``units:link``): the landing page of a unit's link or QR code.

    A signed-in member with one open programme goes straight to its form
    with the unit chosen.  Anyone else sees the unit (with its parents) and
    the open programmes, with "Đăng ký" (sign up) as the main action and
    "Đăng nhập" (sign in) beside it, both returning to the form.  An unknown
    code gets our 404 page with a way back, DEBUG or not (issue 8 item 8).
    It lives here, not in ``units``, because it lists programmes (issue 10).
    """
    try:
        unit = get_linked_unit(code)
    except Http404 as exc:
        return render(request, "404.html", {"message": str(exc)}, status=404)
    programmes = open_programmes()
    forms = [(p, reverse("initiatives:submit", args=[p.slug]) + "?" + urlencode({"don-vi": unit.code}))
             for p in programmes]
    if len(forms) == 1 and request.user.is_authenticated:
        return redirect(forms[0][1])
    return render(request, "units/link.html", {
        "unit": unit, "lineage": [u for u in unit.lineage()[1:] if u.pk != unit.pk],
        "choices": [{"programme": p, "form_url": url, "next": urlencode({"next": url}),
                     "phase": p.open_phase()} for p, url in forms],
    })

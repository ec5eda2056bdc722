"""Unit administrators grant and revoke roles in their subtree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.sessions import recent_authentication_required
from sangkien.core.exceptions import DomainError
from sangkien.roles.access import get_assignment_for, restrict_assignments
from sangkien.roles.forms import GrantForm
from sangkien.roles.services import grant_role, revoke_role
from sangkien.units.access import get_unit_for, in_subtree


@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required(when=lambda request, code: request.method == "POST")
def manage(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Roles held in ``code``'s subtree; grant a new one or revoke one."""
    unit = get_unit_for(request.user, code, "roles.grant")
    form = GrantForm(request.POST or None, initial={"unit_code": unit.code})
    if request.method == "POST" and "revoke" in request.POST:
        raw = request.POST.get("revoke", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # a pk, never text (was a 500)
            raise Http404
        assignment = get_assignment_for(request.user, int(raw), within=unit)
        try:
            revoke_role(assignment=assignment, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã thu hồi quyền."))
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        target = unit.subtree().by_code(form.cleaned_data["unit_code"])
        if target is None:
            form.add_error("unit_code", _("Đơn vị này không thuộc phạm vi của bạn."))
        else:
            try:
                grant_role(user=form.cleaned_data["login"], unit=target, role=form.cleaned_data["role"],
                           actor=request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã phân quyền."))
                return redirect(request.path)
    assignments = (restrict_assignments(request.user, "grant").filter(in_subtree(unit))
                   .select_related("user", "unit").order_by("unit__path", "role"))
    return render(request, "roles/manage.html", {"unit": unit, "form": form, "assignments": assignments})

"""Unit administrators grant and revoke roles in their subtree."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sangkien.accounts.models import User
from sangkien.accounts.sessions import recent_authentication_required
from sangkien.core.exceptions import DomainError
from sangkien.core.phone import PhoneError, normalise_phone
from sangkien.roles.models import Role, RoleAssignment
from sangkien.roles.services import grant_role, revoke_role
from sangkien.units.access import get_unit_for


class GrantForm(forms.Form):
    login = forms.CharField(label=gettext_lazy("Số điện thoại hoặc e-mail của người được giao"), max_length=120)
    unit_code = forms.CharField(label=gettext_lazy("Mã đơn vị"), max_length=40)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=[
        (r.value, r.label) for r in Role if r != Role.ORGANISING_COMMITTEE])

    def clean_login(self) -> User:
        raw = self.cleaned_data["login"].strip()
        if "@" in raw:
            user = User.objects.filter(email__iexact=raw).first()
        else:
            try:
                user = User.objects.filter(phone=normalise_phone(raw)).first()
            except PhoneError as exc:
                raise forms.ValidationError(str(exc)) from exc
        if user is None:
            raise forms.ValidationError(_("Chưa có tài khoản với số điện thoại hoặc e-mail này; "
                                          "người đó cần đăng ký trước."))
        return user


@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required(when=lambda request, code: request.method == "POST")
def manage(request: HttpRequest, code: str) -> HttpResponse:
    """Roles held in ``code``'s subtree; grant a new one or revoke one."""
    unit = get_unit_for(request.user, code, "roles.grant")
    form = GrantForm(request.POST or None, initial={"unit_code": unit.code})
    if request.method == "POST" and "revoke" in request.POST:
        raw = request.POST.get("revoke", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # a pk, never text (was a 500)
            raise Http404
        assignment = get_object_or_404(RoleAssignment, pk=int(raw), unit__path__startswith=unit.path)
        try:
            revoke_role(assignment=assignment, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã thu hồi quyền."))
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        target = unit.subtree().filter(code=form.cleaned_data["unit_code"].strip()).first()
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
    assignments = (RoleAssignment.objects.filter(unit__path__startswith=unit.path)
                   .select_related("user", "unit").order_by("unit__path", "role"))
    return render(request, "roles/manage.html", {"unit": unit, "form": form, "assignments": assignments})

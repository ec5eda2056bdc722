"""Forms of the roles pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangkien.accounts.models import User
from sangkien.core.phone import PhoneError, normalise_phone
from sangkien.roles.capabilities import grantable_roles
from sangkien.roles.models import Role


class GrantForm(forms.Form):
    """Grant a role: who (phone or e-mail of an existing account), on which unit, which role.

    ``cleaned_data["login"]`` is the :class:`User`; the organising committee is granted only
    by the national level's own tools, so it is not offered.
    """

    login = forms.CharField(label=gettext_lazy("Số điện thoại hoặc e-mail của người được giao"), max_length=120)
    unit_code = forms.CharField(label=gettext_lazy("Mã đơn vị"), max_length=40)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=[
        (r.value, r.label) for r in Role if r.value in grantable_roles()])

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

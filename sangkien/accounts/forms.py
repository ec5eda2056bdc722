"""The member sign-up form: full name, phone or e-mail, and consent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sangkien.accounts.models import ConsentRecord, ConsentVersion


class MemberSignupForm(forms.Form):
    """Extra fields for allauth's sign-up; allauth adds phone, e-mail and password."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    consent = forms.BooleanField(
        label=_("Tôi đồng ý với điều khoản xử lý dữ liệu cá nhân"),
        required=True,
        error_messages={"required": _("Bạn cần đồng ý để chúng tôi lưu thông tin của bạn.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent_version = ConsentVersion.current()
        self.fields["consent"].help_text = self.consent_version.text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Nhập số điện thoại hoặc e-mail để đăng nhập."))
        return data

    def signup(self, request: HttpRequest, user: Any) -> None:
        """Called by allauth once the user exists: store the name and the consent."""
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
        ConsentRecord.objects.create(user=user, version=self.consent_version)

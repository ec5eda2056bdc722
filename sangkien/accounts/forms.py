"""Account forms: member sign-up (name, phone or e-mail, consent) and reset by SMS code."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core.internal.cryptokit import compare_user_code
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sangkien.accounts.models import ConsentRecord, ConsentVersion
from sangkien.core.phone import PhoneError, normalise_phone


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


class PasswordResetRequestForm(forms.Form):
    """First step of "Quên mật khẩu?": the phone number (or the e-mail) of the account.

    ``cleaned_data["login"]`` is an E.164 phone or a lower-case e-mail;
    ``self.kind`` says which (``"phone"`` or ``"email"``).
    """

    login = forms.CharField(
        label=_("Số điện thoại hoặc e-mail"), max_length=254,
        widget=forms.TextInput(attrs={"placeholder": "0978 892 973", "autocomplete": "username",
                                      "autofocus": True}),
    )

    def clean_login(self) -> str:
        value = self.cleaned_data["login"].strip()
        if "@" in value:
            self.kind = "email"
            return forms.EmailField().clean(value).lower()
        self.kind = "phone"
        try:
            return normalise_phone(value)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc


class SmsCodeForm(forms.Form):
    """A one-time code typed from a text message; checked against ``code`` (spaces ignored)."""

    code = forms.CharField(
        label=_("Mã trong tin nhắn"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "autofocus": True}),
    )

    def __init__(self, *args: Any, code: str = "", **kwargs: Any) -> None:
        self.expected_code = code
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        typed = "".join(self.cleaned_data["code"].split())
        if not self.expected_code or not compare_user_code(actual=typed, expected=self.expected_code):
            raise forms.ValidationError(get_adapter().error_messages["incorrect_code"])
        return typed

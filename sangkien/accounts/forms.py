"""Account forms: member sign-up (name, phone or e-mail, consent) and reset by SMS code."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core.internal.cryptokit import compare_user_code
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sangkien.accounts import services
from sangkien.accounts.models import ConsentSource, ConsentVersion, Purpose, User
from sangkien.core.phone import PhoneError, normalise_phone

#: Labels of the optional purposes, as the forms offer them.
SHOWCASE_LABEL = _("Đồng ý nêu tên tôi công khai khi biểu dương, giới thiệu sáng kiến tiêu biểu (không bắt buộc)")
NOTIFICATIONS_LABEL = _("Đồng ý nhận tin nhắn SMS, e-mail nhắc việc của chương trình (không bắt buộc)")


class MemberSignupForm(forms.Form):
    """Extra fields for allauth's sign-up; allauth adds phone, e-mail and password."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    consent = forms.BooleanField(
        label=_("Tôi đồng ý với điều khoản xử lý dữ liệu cá nhân"),
        required=True,
        error_messages={"required": _("Bạn cần đồng ý để chúng tôi lưu thông tin của bạn.")},
    )
    showcase = forms.BooleanField(label=SHOWCASE_LABEL, required=False)
    notifications = forms.BooleanField(label=NOTIFICATIONS_LABEL, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent_version = ConsentVersion.current()
        self.fields["consent"].help_text = self.consent_version.text

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Nhập số điện thoại hoặc e-mail để đăng nhập."))
        return data

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by allauth once the user exists: store the name and the consent per purpose."""
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
        services.set_consents(user=user, source=ConsentSource.SIGNUP, choices={
            Purpose.PARTICIPATION: True,
            Purpose.SHOWCASE: self.cleaned_data.get("showcase", False),
            Purpose.NOTIFICATIONS: self.cleaned_data.get("notifications", False),
        })


class ProfileForm(forms.Form):
    """Correct what the person told us: name, e-mail, job, workplace (the phone has its own page)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    job = forms.CharField(label=_("Công việc"), max_length=150, required=False)
    workplace = forms.CharField(label=_("Nơi làm việc"), max_length=255, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_full_name(self) -> str:
        value = " ".join(self.cleaned_data["full_name"].split())
        if not value:
            raise forms.ValidationError(_("Nhập họ và tên."))
        return value

    def clean_email(self) -> str:
        value = (self.cleaned_data.get("email") or "").strip().lower()
        if not value and not self.user.phone:
            raise forms.ValidationError(_("Tài khoản không có số điện thoại nên cần giữ e-mail để đăng nhập."))
        if value and User.objects.exclude(pk=self.user.pk).filter(email__iexact=value).exists():
            raise forms.ValidationError(_("E-mail này đã thuộc về một tài khoản khác."))
        return value


class ConsentForm(forms.Form):
    """The person's current choice for each purpose (ticked = consent)."""

    participation = forms.BooleanField(label=_("Tham gia chương trình: lưu và xử lý họ tên, số điện thoại, "
                                               "e-mail, công việc, nơi làm việc để tiếp nhận, xét duyệt, "
                                               "tổng hợp và khen thưởng sáng kiến (cần để gửi sáng kiến)"),
                                       required=False)
    showcase = forms.BooleanField(label=SHOWCASE_LABEL, required=False)
    notifications = forms.BooleanField(label=NOTIFICATIONS_LABEL, required=False)

    def choices(self) -> dict[str, bool]:
        """``{purpose: granted}`` as ticked."""
        return {p: bool(self.cleaned_data.get(p)) for p in Purpose.values}


class DeleteAccountForm(forms.Form):
    """Confirm deleting the account by typing its password.

    The phone number is not accepted: it is printed on the same page, so
    anyone at an unlocked phone could type it.  An account without a usable
    password (made by an officer, never signed in with one) confirms with
    its phone number, which it has just proved by SMS code to sign in.
    """

    confirm = forms.CharField(
        label=_("Nhập mật khẩu của tài khoản để xác nhận"), max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"]
        if self.user.has_usable_password():
            if self.user.check_password(typed):
                return typed
            raise forms.ValidationError(_("Mật khẩu không đúng. Tài khoản chưa bị xoá."))
        if self.user.phone:
            try:
                if normalise_phone(typed) == self.user.phone:
                    return typed
            except PhoneError:
                pass
        raise forms.ValidationError(_("Mật khẩu hoặc số điện thoại không đúng. Tài khoản chưa bị xoá."))


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

"""allauth adapter: phone numbers live on ``User.phone`` in E.164 form.

Every text message goes through :meth:`AccountAdapter.send_sms`, which applies
the per-number and per-IP limits of ``ACCOUNT_RATE_LIMITS["send_sms"]`` and
hands the message to the backend of ``SANGKIEN_SMS_BACKEND``
(``sangkien.accounts.sms``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context, ratelimit
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sangkien.accounts import services, sms
from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.steps import after_sign_in
from sangkien.core.phone import PhoneError, normalise_phone

if TYPE_CHECKING:
    from sangkien.accounts.models import User

log = logging.getLogger(__name__)

#: allauth rate-limit action consumed once for every text message we send
#: (or pretend to send, for a number without an account).
SMS_RATE_LIMIT_ACTION = "send_sms"


class VietnamPhoneField(forms.CharField):
    """A phone field that accepts the ways Vietnamese numbers are written
    (``0978 892 973``, ``0978.892.973``, ``+84…``) and cleans to E.164."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Số điện thoại"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "0978 892 973", "inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value: Any) -> str:
        cleaned: str = super().clean(value)
        if not cleaned:
            return cleaned
        try:
            return normalise_phone(cleaned)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc


class AccountAdapter(DefaultAccountAdapter):
    """Stores phones on the user and sends one-time codes by SMS.

    A phone counts as verified (``User.is_phone_verified``) only once its
    owner typed the code sent to it: after sign-up, from the verification
    page, or while resetting the password by SMS.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": _("Mã không đúng. Hãy kiểm tra tin nhắn và nhập lại."),
        "rate_limited": _("Bạn đã yêu cầu quá nhiều lần. Hãy đợi ít phút rồi thử lại."),
        "too_many_login_attempts": _("Bạn đã thử quá nhiều lần. Hãy đợi ít phút rồi thử lại."),
        "phone_taken": _("Số điện thoại này đã thuộc về một tài khoản khác."),
        "unknown_phone": _("Không có tài khoản nào với số điện thoại này."),
        "same_as_current": _("Đây đã là số điện thoại hiện tại của bạn."),
    }

    def clean_phone(self, phone: str) -> str:
        try:
            return normalise_phone(phone)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def phone_form_field(self, **kwargs: Any) -> Any:
        return VietnamPhoneField(**kwargs)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        services.set_phone(user=user, phone=phone, verified=verified)

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        return (user.phone, user.is_phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        """Called by allauth once the code sent to ``phone`` was typed in.

        For allauth's "change phone" page ``phone`` is the new number: the
        code proved it is theirs, so it replaces the old one, verified.
        """
        if normalise_phone(phone) != user.phone:
            services.set_phone(user=user, phone=phone, verified=True)
        else:
            services.mark_phone_verified(user=user, phone=phone)

    def get_user_by_phone(self, phone: str) -> User | None:
        from sangkien.accounts.models import User

        try:
            normal = normalise_phone(phone)
        except PhoneError:
            return None
        return User.objects.filter(phone=normal).first()

    # --- Text messages -----------------------------------------------------
    def send_sms(self, phone: str, text: str | None) -> None:
        """Count one message to ``phone`` against the limits, then send ``text``.

        ``text=None`` counts without sending (a number without an account
        gets nothing, yet uses up the same allowance, so the limits and the
        answers are the same whether the number has an account or not).

        :raises allauth.core.exceptions.RateLimited: too many messages to this
            number or from this IP (``ACCOUNT_RATE_LIMITS["send_sms"]``).
        :raises sangkien.accounts.sms.SmsError: the SMS backend failed.
        """
        request = context.request
        ratelimit.consume(request, action=SMS_RATE_LIMIT_ACTION, key=phone, raise_exception=True)
        if text is not None:
            sms.send_sms(to=phone, text=text)

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        text = gettext("Sang kien Cong doan: ma xac minh so dien thoai cua ban la %(code)s. "
                       "Khong dua ma nay cho ai.") % {"code": code}
        self.send_sms(phone, text)

    def send_password_reset_code_sms(self, phone: str, code: str) -> None:
        """Text the one-time code that lets the owner of ``phone`` choose a new password."""
        text = gettext("Sang kien Cong doan: ma dat lai mat khau cua ban la %(code)s. "
                       "Khong dua ma nay cho ai.") % {"code": code}
        self.send_sms(phone, text)

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        """Nothing is texted to a number without an account; the allowance is still used."""
        self.send_sms(phone, None)

    def send_account_already_exists_sms(self, phone: str) -> None:
        text = gettext("Sang kien Cong doan: so dien thoai nay da co tai khoan. "
                       "Neu quen mat khau, hay chon \"Quen mat khau?\" o trang dang nhap.")
        self.send_sms(phone, text)

    # --- After sign-up: ask for the code, keep the way on --------------------
    def post_login(self, request: HttpRequest, user: User, **kwargs: Any) -> HttpResponse:
        """After a sign-up with a phone, text a code and show the page to type it in.

        The account works at once (the member may submit straight away); the
        verification page offers "later" and passes ``next`` on.
        """
        response: HttpResponse = super().post_login(request, user, **kwargs)
        request = cast(AuthenticatedHttpRequest, request)  # allauth has just signed ``user`` in
        if not (kwargs.get("signup") and getattr(user, "phone", None) and not user.is_phone_verified):
            return self._claim_step(request, response)
        from sangkien.accounts.verification import start_phone_verification

        if not start_phone_verification(request):
            return response
        target = response.get("Location") or reverse("home")
        response["Location"] = f"{reverse('accounts_verify_phone')}?{urlencode({'next': target})}"
        return response

    def _claim_step(self, request: AuthenticatedHttpRequest, response: HttpResponse) -> HttpResponse:
        """Send the person to a step registered in :mod:`sangkien.accounts.steps` first ("Xác nhận
        tác giả" when participants entered by others carry their verified phone; ``next`` passes the
        original destination on); never blocks."""
        location = response.get("Location")
        if response.status_code != 302 or not location:
            return response
        target = after_sign_in(request, location)
        if target:
            response["Location"] = target
        return response

    def add_sms_failure_message(self, request: HttpRequest) -> None:
        """Tell the person their code could not be sent (the reason is in the log)."""
        messages.error(request, _("Chưa gửi được tin nhắn. Hãy thử lại sau ít phút."))

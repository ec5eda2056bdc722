"""Account pages of our own: phone verification and "Quên mật khẩu?" by SMS code.

The views parse and call: codes live in ``sangkien.accounts.verification``,
writes in ``sangkien.accounts.services``.  A limit reached answers 429 with
the form and its text kept; a failing SMS provider gives a message, never a 500.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm, SetPasswordForm
from allauth.account.internal.flows.password_reset import perform_password_reset_login
from allauth.core import ratelimit
from allauth.core.exceptions import RateLimited
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from sangkien.accounts import services
from sangkien.accounts.forms import PasswordResetRequestForm, SmsCodeForm
from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.sms import SmsError
from sangkien.accounts.steps import after_sign_in
from sangkien.accounts.verification import MemberPhoneVerification, PhonePasswordReset

if TYPE_CHECKING:
    from sangkien.accounts.models import User

log = logging.getLogger(__name__)


def safe_next_url(request: HttpRequest) -> str:
    """The safe ``next`` of the request (GET or POST), or the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("home")


def _with_next(urlname: str, next_url: str) -> str:
    return f"{reverse(urlname)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def verify_phone(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Let a signed-in member type the code texted to their phone ("Để sau" passes ``next`` on).

    POST ``action=send`` texts a (new) code; POST ``code`` checks it.
    """
    user: User = request.user
    next_url = safe_next_url(request)
    if not user.phone:
        return HttpResponseRedirect(next_url)
    if user.is_phone_verified:
        messages.info(request, _("Số điện thoại của bạn đã được xác minh."))
        return HttpResponseRedirect(next_url)
    adapter = get_adapter()
    process = MemberPhoneVerification.resume(request)
    form = SmsCodeForm(code=process.code if process else "")
    status, send_error = 200, ""
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            MemberPhoneVerification.start(request)
            return HttpResponseRedirect(_with_next("accounts_verify_phone", next_url))
        except RateLimited:
            status, send_error = 429, adapter.error_messages["rate_limited"]
        except SmsError:
            log.exception("SMS not sent")
            status, send_error = 503, _("Chưa gửi được tin nhắn. Hãy thử lại sau ít phút.")
    elif request.method == "POST":
        if process is None:
            messages.error(request, _("Mã đã hết hạn. Hãy bấm “Gửi mã” để nhận mã mới."))
            return HttpResponseRedirect(_with_next("accounts_verify_phone", next_url))
        form = SmsCodeForm(request.POST, code=process.code)
        if form.is_valid():
            process.finish()
            return HttpResponseRedirect(after_sign_in(request, next_url) or next_url)
        if not process.record_invalid_attempt():
            messages.error(request, _("Bạn đã nhập sai quá số lần cho phép. Hãy bấm “Gửi mã” để nhận mã mới."))
            return HttpResponseRedirect(_with_next("accounts_verify_phone", next_url))
    return render(request, "account/verify_phone.html",
                  {"form": form, "process": process, "phone": user.phone, "next_url": next_url,
                   "send_error": send_error},
                  status=status)


@never_cache
def reset_password(request: HttpRequest) -> HttpResponse:
    """"Quên mật khẩu?": a phone gets a code by SMS, an e-mail gets allauth's reset e-mail.

    The answer does not tell whether the number or address has an account.
    """
    adapter = get_adapter()
    form = PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["login"]
        if form.kind == "email":
            if not ratelimit.consume(request, action="reset_password", key=login):
                form.add_error(None, adapter.error_messages["rate_limited"])
                status = 429
            else:
                email_form = ResetPasswordForm({"email": login})
                if email_form.is_valid():
                    email_form.save(request)
                    return redirect("account_reset_password_done")
                for error in email_form.errors.get("email", []):
                    form.add_error("login", error)
        else:
            try:
                PhonePasswordReset.initiate(request=request, phone=login)
                return redirect("accounts_reset_password_code")
            except RateLimited:
                form.add_error(None, adapter.error_messages["rate_limited"])
                status = 429
            except SmsError:
                log.exception("SMS not sent")
                form.add_error(None, _("Chưa gửi được tin nhắn. Hãy thử lại sau ít phút."))
                status = 503
    return render(request, "account/password_reset.html", {"form": form}, status=status)


@never_cache
def reset_password_code(request: HttpRequest) -> HttpResponse:
    """Second step: the code from the text message."""
    process = PhonePasswordReset.resume(request)
    if process is None:
        messages.error(request, _("Mã đã hết hạn. Hãy yêu cầu mã mới."))
        return redirect("account_reset_password")
    if process.code_confirmed:
        return redirect("accounts_reset_password_set")
    form = SmsCodeForm(request.POST or None, code=process.code)
    if request.method == "POST":
        if form.is_valid():
            process.confirm_code()
            return redirect("accounts_reset_password_set")
        if not process.record_invalid_attempt():
            messages.error(request, _("Bạn đã nhập sai quá số lần cho phép. Hãy yêu cầu mã mới."))
            return redirect("account_reset_password")
    return render(request, "account/password_reset_code.html",
                  {"form": form, "phone": process.phone, "minutes": process.timeout // 60})


@never_cache
@sensitive_post_parameters("password1", "password2")
def reset_password_set(request: HttpRequest) -> HttpResponse:
    """Last step: the new password; then the person is signed in."""
    process = PhonePasswordReset.resume(request)
    if process is None or not process.code_confirmed or process.user is None:
        messages.error(request, _("Mã đã hết hạn. Hãy yêu cầu mã mới."))
        return redirect("account_reset_password")
    user: User = process.user
    form = SetPasswordForm(user=user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reset_password_by_phone(user=user, phone=process.phone,
                                         password=form.cleaned_data["password1"])
        process.abort()
        messages.success(request, _("Đã đặt mật khẩu mới."))
        return perform_password_reset_login(request, user, phone=process.phone)
    return render(request, "account/password_reset_set.html", {"form": form})

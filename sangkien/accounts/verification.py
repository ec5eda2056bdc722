"""One-time SMS codes, built on allauth's code-verification primitives.

- :class:`MemberPhoneVerification`: a signed-in member proves their phone is
  theirs (allauth's ``ChangePhoneVerificationProcess``, for the number they
  already have, so no re-authentication is asked for).
- :class:`PhonePasswordReset`: someone who forgot their password asks for a
  code by SMS, types it in, then chooses a new password.  allauth 65 resets
  passwords by code only through e-mail, hence this small process.  The
  answers are the same whether the number has an account or not.

Both keep their state (code, attempts, time) in the session, expire after
``ACCOUNT_PHONE_VERIFICATION_TIMEOUT`` seconds and allow
``ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS`` wrong codes.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.code_verification import AbstractCodeVerificationProcess
from allauth.account.internal.flows.phone_verification import ChangePhoneVerificationProcess
from allauth.core.exceptions import RateLimited
from django.contrib import messages
from django.http import HttpRequest

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.sms import SmsError

if TYPE_CHECKING:
    from sangkien.accounts.models import User

log = logging.getLogger(__name__)

PHONE_RESET_SESSION_KEY = "sangkien_phone_password_reset"


class MemberPhoneVerification(ChangePhoneVerificationProcess):
    """Verification of the signed-in member's current phone (state in the session)."""

    @classmethod
    def start(cls, request: AuthenticatedHttpRequest) -> MemberPhoneVerification:
        """Text a new code to ``request.user.phone`` and remember it in the session.

        :raises allauth.core.exceptions.RateLimited: too many codes asked for.
        :raises sangkien.accounts.sms.SmsError: the SMS backend failed.
        """
        user: User = request.user
        process = cls(request, state=cls.initial_state(user=user, phone=user.phone))
        process.send()
        return process

    @classmethod
    def resume(cls, request: HttpRequest) -> MemberPhoneVerification | None:
        """The live process of this session for the member's current phone, if any."""
        process: MemberPhoneVerification | None = super().resume(request)
        if process is None:
            return None
        if process.phone != getattr(request.user, "phone", None):
            process.abort()
            return None
        return process


def start_phone_verification(request: AuthenticatedHttpRequest) -> bool:
    """Text a verification code to the signed-in member; False (with a message) if not sent."""
    try:
        MemberPhoneVerification.start(request)
    except RateLimited:
        messages.error(request, get_adapter().error_messages["rate_limited"])
        return False
    except SmsError:
        log.exception("SMS not sent")
        get_adapter().add_sms_failure_message(request)
        return False
    return True


class PhonePasswordReset(AbstractCodeVerificationProcess):
    """Password reset by a code texted to the phone (state in the session).

    ``state``: ``phone`` (E.164), ``user_id`` (absent for a number without an
    account), ``code`` (empty then, so no code matches), ``code_confirmed``.
    """

    def __init__(self, request: HttpRequest, state: dict[str, Any], user: User | None = None) -> None:
        self.request = request
        super().__init__(state=state, user=user, timeout=app_settings.PHONE_VERIFICATION_TIMEOUT,
                         max_attempts=app_settings.PHONE_VERIFICATION_MAX_ATTEMPTS)

    @property
    def phone(self) -> str:
        phone: str = self.state["phone"]
        return phone

    @property
    def code_confirmed(self) -> bool:
        return bool(self.state.get("code_confirmed"))

    def persist(self) -> None:
        self.request.session[PHONE_RESET_SESSION_KEY] = self.state

    def abort(self) -> None:
        self.request.session.pop(PHONE_RESET_SESSION_KEY, None)

    def send(self) -> None:
        """Text the code (or, for an unknown number, nothing) counting against the limits."""
        adapter = get_adapter()
        if self.user is None:
            self.state["code"] = ""
            adapter.send_unknown_account_sms(self.phone)
            return
        code = adapter.generate_phone_verification_code(user=self.user, phone=self.phone)
        self.state["code"] = code
        adapter.send_password_reset_code_sms(self.phone, code)

    def confirm_code(self) -> None:
        """The right code was typed: the new-password step may follow (timer restarts)."""
        self.state["code_confirmed"] = True
        self.state["at"] = time.time()
        self.persist()

    @classmethod
    def initiate(cls, *, request: HttpRequest, phone: str) -> PhonePasswordReset:
        """Start a reset for ``phone`` (E.164) and text the code.

        :raises allauth.core.exceptions.RateLimited: too many codes for this
            number or from this IP.
        :raises sangkien.accounts.sms.SmsError: the SMS backend failed.
        """
        user = get_adapter().get_user_by_phone(phone)
        if user is not None and not user.is_active:
            user = None
        process = cls(request, state=cls.initial_state(user=user, phone=phone), user=user)
        process.send()
        process.persist()
        return process

    @classmethod
    def resume(cls, request: HttpRequest) -> PhonePasswordReset | None:
        """The live reset of this session, or None when there is none or it expired."""
        state = request.session.get(PHONE_RESET_SESSION_KEY)
        if not state:
            return None
        reset: PhonePasswordReset | None = cls(request, state=state).abort_if_invalid()
        return reset

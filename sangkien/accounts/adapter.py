"""allauth adapter: phone numbers live on ``User.phone`` in E.164 form."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from sangkien.core.phone import PhoneError, normalise_phone

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Stores phones on the user; no SMS gateway is configured (verification off)."""

    def clean_phone(self, phone: str) -> str:
        try:
            return normalise_phone(phone)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def phone_form_field(self, **kwargs: Any) -> Any:
        from allauth.account.fields import PhoneField

        field = PhoneField(**kwargs)
        field.widget.attrs.update({"placeholder": "0978 892 973", "inputmode": "tel"})
        return field

    def set_phone(self, user: Any, phone: str, verified: bool) -> None:
        user.phone = normalise_phone(phone)
        user.save(update_fields=["phone"])

    def get_phone(self, user: Any) -> tuple[str, bool] | None:
        return (user.phone, True) if user.phone else None

    def set_phone_verified(self, user: Any, phone: str) -> None:
        """Nothing to store: without an SMS gateway phones are not verified."""

    def get_user_by_phone(self, phone: str) -> Any:
        from sangkien.accounts.models import User

        try:
            normal = normalise_phone(phone)
        except PhoneError:
            return None
        return User.objects.filter(phone=normal).first()

    def send_verification_code_sms(self, user: Any, phone: str, code: str, **kwargs: Any) -> None:
        log.warning("SMS gateway not configured; verification code for %s not sent", phone[-3:])

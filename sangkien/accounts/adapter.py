"""allauth adapter: phone numbers live on ``User.phone`` in E.164 form."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext_lazy as _

from sangkien.core.phone import PhoneError, normalise_phone

log = logging.getLogger(__name__)


class VietnamPhoneField(forms.CharField):
    """A phone field that accepts the ways Vietnamese numbers are written
    (``0978 892 973``, ``0978.892.973``, ``+84…``) and cleans to E.164."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Số điện thoại"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "0978 892 973", "inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_phone(value)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc


class AccountAdapter(DefaultAccountAdapter):
    """Stores phones on the user; no SMS gateway is configured (verification off)."""

    def clean_phone(self, phone: str) -> str:
        try:
            return normalise_phone(phone)
        except PhoneError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def phone_form_field(self, **kwargs: Any) -> Any:
        return VietnamPhoneField(**kwargs)

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

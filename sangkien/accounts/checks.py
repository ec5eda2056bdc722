"""System checks for the SMS set-up (run by ``manage.py check --deploy`` and at start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string

from sangkien.accounts.sms import BaseBackend, ConsoleBackend, FileBackend, HttpGatewayBackend


@register()
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """``accounts.E001``: the backend cannot be imported; ``accounts.W001``: production
    uses the console or file backend (codes never reach phones); ``accounts.W002``: the
    HTTP gateway lacks its URL, API key or brand name (docs/sms.md)."""
    try:
        backend = import_string(settings.SANGKIEN_SMS_BACKEND)
    except ImportError as exc:
        return [Error(f"SANGKIEN_SMS_BACKEND cannot be imported: {exc}", id="accounts.E001")]
    if not (isinstance(backend, type) and issubclass(backend, BaseBackend)):
        return [Error("SANGKIEN_SMS_BACKEND must name a subclass of sangkien.accounts.sms.BaseBackend.",
                      id="accounts.E001")]
    problems: list[Any] = []
    # `make run` is production-grade serving on a laptop over plain HTTP (SANGKIEN_HTTPS=0): codes
    # in the server's log are what a demo needs there, so only a real (HTTPS) deployment is warned.
    deployed = getattr(settings, "PRODUCTION", False) and getattr(settings, "HTTPS", True)
    if deployed and issubclass(backend, ConsoleBackend | FileBackend):
        problems.append(Warning(
            "SANGKIEN_SMS_BACKEND is the console or file backend in production: verification and "
            "password-reset codes never reach members' phones.",
            hint="Set SANGKIEN_SMS_BACKEND=sangkien.accounts.sms.HttpGatewayBackend (docs/sms.md).",
            id="accounts.W001"))
    if issubclass(backend, HttpGatewayBackend):
        missing = [name for name in ("SANGKIEN_SMS_GATEWAY_URL", "SANGKIEN_SMS_API_KEY",
                                     "SANGKIEN_SMS_BRANDNAME") if not getattr(settings, name, "")]
        if missing:
            problems.append(Warning(f"The SMS gateway lacks {', '.join(missing)}.",
                                    hint="See docs/sms.md.", id="accounts.W002"))
    return problems

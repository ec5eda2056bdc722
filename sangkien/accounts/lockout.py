"""Who is trying to sign in, as django-axes counts failed logins (issue 9.3).

Axes locks on what these functions return: the account (the login typed, in its
one normal form) and the client's address.  Behind nginx every request comes
from the proxy's address, so counting per address alone let ten bad logins
lock out everyone; we lock per account and per (account, address), and read
the client's address from ``X-Forwarded-For`` only when the request really
came through a proxy listed in ``SANGKIEN_TRUSTED_PROXIES`` (otherwise anyone
could claim any address by sending the header).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from sangkien.core.phone import PhoneError, normalise_phone


def login_key(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """The account a login attempt is for: ``"+84912000001"`` for any way of writing that phone
    number, an e-mail address in lower case, or ``None`` when nothing was typed.

    Reads allauth's credentials (``phone``, ``email`` or ``username``) or the form's ``login`` field.
    """
    typed = None
    if credentials:
        typed = credentials.get("phone") or credentials.get("email") or credentials.get("username") \
            or credentials.get("login")
    if not typed and request is not None:
        typed = request.POST.get("login")
    if not typed:
        return None
    # axes stores the key in a 255-character column: a longer "login" made PostgreSQL answer 500 (POST fuzz)
    typed = str(typed).strip()[:255]
    if "@" in typed:
        return typed.lower()
    try:
        return normalise_phone(typed)
    except PhoneError:
        return typed.lower()


def _trusted(address: str, proxies: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, when that is a trusted proxy
    (``SANGKIEN_TRUSTED_PROXIES``: addresses or networks), the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy."""
    remote: str | None = request.META.get("REMOTE_ADDR")
    proxies: list[str] = list(getattr(settings, "SANGKIEN_TRUSTED_PROXIES", []))
    if not remote or not proxies or not _trusted(remote, proxies):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, proxies):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote

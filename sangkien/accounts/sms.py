"""Sending text messages (SMS) through a pluggable backend.

``SANGKIEN_SMS_BACKEND`` names the class (dotted path); docs/sms.md explains
how to plug a Vietnamese brand-name SMS provider.  Three backends ship:

- :class:`ConsoleBackend` writes the message to the log (development default);
- :class:`FileBackend` writes one JSON file per message under
  ``SANGKIEN_SMS_FILE_PATH`` (``var/sms/``), so tests can read the code;
- :class:`HttpGatewayBackend` POSTs the message to a provider's HTTP API with
  an API key and the brand-name sender ``SANGKIEN_SMS_BRANDNAME``.

A backend's ``send`` either delivers the message or raises :class:`SmsError`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from sangkien.core.clock import now

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the SMS provider (message says why)."""


@dataclass(frozen=True)
class Sms:
    """One text message: ``to`` is an E.164 number (``+84…``), ``text`` plain text."""

    to: str
    text: str


class BaseBackend:
    """Interface of an SMS backend: ``send(message)`` delivers or raises :class:`SmsError`."""

    def send(self, message: Sms) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development: logs the message (number and text) at WARNING level; sends nothing."""

    def send(self, message: Sms) -> None:
        log.warning("SMS to %s: %s", message.to, message.text)


class FileBackend(BaseBackend):
    """Writes each message as a JSON file ``{"to", "text", "at"}`` under
    ``SANGKIEN_SMS_FILE_PATH``; :func:`read_messages` reads them back."""

    def send(self, message: Sms) -> None:
        folder = sms_folder()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = now().strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
        payload = {"to": message.to, "text": message.text, "at": now().isoformat()}
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


class HttpGatewayBackend(BaseBackend):
    """POSTs the message to ``SANGKIEN_SMS_GATEWAY_URL``.

    The request carries ``Authorization: Bearer <SANGKIEN_SMS_API_KEY>`` and a
    body with ``to`` (E.164 without ``+``, as Vietnamese providers expect:
    ``84978892973``), ``text`` and ``brandname`` (``SANGKIEN_SMS_BRANDNAME``,
    the registered brand-name sender required in Vietnam).  The body is JSON,
    or a form when ``SANGKIEN_SMS_GATEWAY_FORMAT=form``.  A reply other than
    2xx, a network error or a timeout (``SANGKIEN_SMS_TIMEOUT`` seconds)
    raises :class:`SmsError`.  Subclass and override :meth:`payload` for a
    provider whose field names differ.
    """

    def __init__(self, *, url: str | None = None, api_key: str | None = None,
                 brandname: str | None = None, timeout: float | None = None,
                 body_format: str | None = None) -> None:
        self.url = url if url is not None else settings.SANGKIEN_SMS_GATEWAY_URL
        self.api_key = api_key if api_key is not None else settings.SANGKIEN_SMS_API_KEY
        self.brandname = brandname if brandname is not None else settings.SANGKIEN_SMS_BRANDNAME
        self.timeout = timeout if timeout is not None else settings.SANGKIEN_SMS_TIMEOUT
        self.body_format = body_format or settings.SANGKIEN_SMS_GATEWAY_FORMAT
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("SANGKIEN_SMS_GATEWAY_URL must be an http(s) URL.")

    def payload(self, message: Sms) -> dict[str, Any]:
        """The fields sent to the provider for ``message``."""
        return {"to": message.to.lstrip("+"), "text": message.text, "brandname": self.brandname}

    def send(self, message: Sms) -> None:
        fields = self.payload(message)
        if self.body_format == "form":
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(fields, ensure_ascii=False).encode()
            content_type = "application/json"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=body, method="POST",
            headers={"Content-Type": content_type, "Authorization": f"Bearer {self.api_key}",
                     "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"SMS gateway answered HTTP {exc.code}.") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered HTTP {status}.")


def sms_folder() -> Path:
    """The folder :class:`FileBackend` writes to (``SANGKIEN_SMS_FILE_PATH``)."""
    return Path(settings.SANGKIEN_SMS_FILE_PATH)


def read_messages(to: str | None = None) -> list[dict[str, str]]:
    """Messages written by :class:`FileBackend`, oldest first, optionally only those to ``to``."""
    folder = sms_folder()
    if not folder.exists():
        return []
    paths = sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    messages = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    return [m for m in messages if to is None or m["to"] == to]


def get_backend() -> BaseBackend:
    """An instance of the backend named by ``SANGKIEN_SMS_BACKEND``."""
    backend: BaseBackend = import_string(settings.SANGKIEN_SMS_BACKEND)()
    return backend


def send_sms(*, to: str, text: str) -> None:
    """Send ``text`` to the E.164 number ``to`` through the configured backend.

    :raises SmsError: the backend could not hand the message over.
    """
    get_backend().send(Sms(to=to, text=text))

"""SMS backends: console, file, and the HTTP gateway against a tiny server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.checks import run_checks

from sangkien.accounts.sms import (
    ConsoleBackend,
    FileBackend,
    HttpGatewayBackend,
    Sms,
    SmsError,
    read_messages,
    send_sms,
)

MESSAGE = Sms(to="+84978892973", text="Sang kien Cong doan: ma 123456")


@pytest.fixture
def gateway():
    """A local HTTP server recording each request; ``gateway.status``/``delay`` set its answer."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            time.sleep(server.delay)
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(server.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status, server.delay, server.received = 200, 0.0, received
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def backend(gateway, **kwargs):
    options = {"url": gateway.url, "api_key": "khoa-bi-mat", "brandname": "CONGDOAN", "timeout": 2.0}
    options.update(kwargs)
    return HttpGatewayBackend(**options)


def test_gateway_posts_json_with_key_and_brandname(gateway):
    backend(gateway).send(MESSAGE)
    (request,) = gateway.received
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer khoa-bi-mat"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"to": "84978892973", "text": MESSAGE.text, "brandname": "CONGDOAN"}


def test_gateway_can_post_a_form(gateway):
    backend(gateway, body_format="form").send(MESSAGE)
    fields = urllib.parse.parse_qs(gateway.received[0]["body"])
    assert fields == {"to": ["84978892973"], "text": [MESSAGE.text], "brandname": ["CONGDOAN"]}


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_gateway_error_answer_raises_a_clear_error(gateway, status):
    gateway.status = status
    with pytest.raises(SmsError, match=f"HTTP {status}"):
        backend(gateway).send(MESSAGE)


def test_gateway_timeout_raises(gateway):
    gateway.delay = 1.0
    with pytest.raises(SmsError, match="unreachable"):
        backend(gateway, timeout=0.2).send(MESSAGE)


def test_gateway_refuses_a_url_that_is_not_http():
    with pytest.raises(SmsError, match="http"):
        HttpGatewayBackend(url="file:///etc/passwd", api_key="k", brandname="B", timeout=1)


def test_gateway_reads_its_settings(gateway, settings):
    settings.SANGKIEN_SMS_BACKEND = "sangkien.accounts.sms.HttpGatewayBackend"
    settings.SANGKIEN_SMS_GATEWAY_URL = gateway.url
    settings.SANGKIEN_SMS_API_KEY = "khoa"
    settings.SANGKIEN_SMS_BRANDNAME = "SANGKIEN"
    send_sms(to=MESSAGE.to, text=MESSAGE.text)
    assert json.loads(gateway.received[0]["body"])["brandname"] == "SANGKIEN"


def test_file_backend_writes_messages_readable_in_order(sms_outbox):
    FileBackend().send(MESSAGE)
    FileBackend().send(Sms(to="+84912345678", text="thứ hai"))
    assert [m["text"] for m in read_messages()] == [MESSAGE.text, "thứ hai"]
    assert [m["text"] for m in read_messages(to="+84912345678")] == ["thứ hai"]
    assert len(list(sms_outbox.glob("*.json"))) == 2


def test_console_backend_logs(caplog):
    ConsoleBackend().send(MESSAGE)
    assert "+84978892973" in caplog.text and "123456" in caplog.text


def _ids(settings_overrides, settings):
    for name, value in settings_overrides.items():
        setattr(settings, name, value)
    return {m.id for m in run_checks() if m.id.startswith("accounts.")}


def test_production_with_the_console_backend_warns(settings):
    assert _ids({"PRODUCTION": True, "HTTPS": True, "SANGKIEN_SMS_BACKEND": "sangkien.accounts.sms.ConsoleBackend"},
                settings) == {"accounts.W001"}


def test_make_runs_laptop_server_over_plain_http_is_not_warned(settings):
    assert _ids({"PRODUCTION": True, "HTTPS": False, "SANGKIEN_SMS_BACKEND": "sangkien.accounts.sms.ConsoleBackend"},
                settings) == set()


def test_development_with_the_console_backend_is_fine(settings):
    assert _ids({"PRODUCTION": False, "SANGKIEN_SMS_BACKEND": "sangkien.accounts.sms.ConsoleBackend"},
                settings) == set()


def test_gateway_without_its_settings_warns(settings):
    assert _ids({"SANGKIEN_SMS_BACKEND": "sangkien.accounts.sms.HttpGatewayBackend",
                 "SANGKIEN_SMS_GATEWAY_URL": "", "SANGKIEN_SMS_BRANDNAME": ""}, settings) == {"accounts.W002"}


@pytest.mark.parametrize("path", ["sangkien.accounts.sms.NoSuchBackend", "sangkien.accounts.sms.Sms"])
def test_a_wrong_backend_path_is_an_error(settings, path):
    assert _ids({"SANGKIEN_SMS_BACKEND": path}, settings) == {"accounts.E001"}

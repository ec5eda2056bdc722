"""`make run` serves a production server: gunicorn, DEBUG off, WhiteNoise with
hashed and compressed assets, our own error pages, plain HTTP on a laptop,
links built from HOST:PORT, and the worker stopping with the server.

The server is started the way the Makefile starts it (scripts/serve.sh) on a
free port of 127.0.0.1 against a throw-away SQLite database; every wait is
bounded.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import segno

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 240  # seconds: migrate a fresh database, collect and compress the assets, boot
STOP_TIMEOUT = 30
MAKE = shutil.which("make") or "/usr/bin/make"

UNITS_CSV = """code,name,kind,parent_code,member_count
TLD,Tổng Liên đoàn Lao động Việt Nam,national,,
37,LĐLĐ tỉnh Ninh Bình,provincial_federation,TLD,
375,LĐLĐ huyện Yên Khánh,district_federation,37,
375-0001,CĐCS Trường THCS Khánh Hội,grassroots,375,40
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without the app's settings, plus ``extra``."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SANGKIEN_", "DATABASE_", "DJANGO_", "HOST", "PORT", "PUBLIC_URL"))}
    return {**base, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` without following redirects or decoding: (status, headers, raw body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http://127.0.0.1 only)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """scripts/serve.sh running on a free port; yields a dict describing it."""
    tmp = tmp_path_factory.mktemp("make-run")
    port = free_port()
    database = f"sqlite:///{tmp / 'sangkien.sqlite3'}"
    env = clean_env(HOST="127.0.0.1", PORT=str(port), PY=sys.executable, DATABASE_URL=database,
                    SANGKIEN_STATIC_ROOT=str(tmp / "static"),
                    SANGKIEN_SECRET_KEY_FILE=str(tmp / "secret-key"), WEB_CONCURRENCY="1")
    log_path = tmp / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    info = {"base": base, "port": port, "process": process, "tmp": tmp, "log": log_path}
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve.sh exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if fetch(base + "/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer on {base} after {START_TIMEOUT} s:\n{log_path.read_text()}")
            time.sleep(0.5)
        units = tmp / "units.csv"
        units.write_text(UNITS_CSV, encoding="utf-8")
        loaded = subprocess.run([sys.executable, "manage.py", "import_units", str(units)], cwd=ROOT,
                                env=clean_env(DATABASE_URL=database), capture_output=True, text=True,
                                timeout=120)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        yield info
    finally:
        if process.poll() is None and group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)  # only if the stop test did not run or failed
        process.wait(timeout=STOP_TIMEOUT)


def test_home_page_is_served_by_gunicorn_with_debug_off(served):
    status, headers, body = fetch(served["base"] + "/")
    assert status == 200 and headers["Server"].startswith("gunicorn")
    html = body.decode()
    # hashed asset names only exist with the collected manifest (DEBUG off, production storage)
    assert re.search(r'/static/vendor/pico/pico\.min\.[0-9a-f]{12}\.css"', html), html
    # plain HTTP on a laptop: no HSTS, no redirect to https
    assert "Strict-Transport-Security" not in headers


def test_static_assets_are_hashed_compressed_and_cached_for_a_year(served):
    html = fetch(served["base"] + "/")[2].decode()
    asset = re.search(r'/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js', html).group(0)
    status, headers, body = fetch(served["base"] + asset, **{"Accept-Encoding": "br, gzip"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
    raw = (ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js").stat().st_size
    assert len(body) < raw / 2
    status, headers, _ = fetch(served["base"] + asset, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"


def test_unknown_url_shows_our_404_page_not_the_debug_page(served):
    status, _, body = fetch(served["base"] + "/khong-co-trang-nay/")
    html = body.decode()
    assert status == 404
    assert "Không tìm thấy trang" in html and "Về trang chủ" in html
    assert "URLconf" not in html and "Page not found" not in html and "DEBUG = True" not in html
    assert "admin/" not in html  # no URL patterns listed


def test_qr_code_encodes_the_address_make_run_serves_on(served):
    status, headers, body = fetch(served["base"] + "/dv/375-0001/qr.svg")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(f"http://127.0.0.1:{served['port']}/dv/375-0001/", error="m").save(
        expected, kind="svg", scale=8, border=2, dark="#111", xmldecl=False)
    assert body == expected.getvalue()


def test_generated_secret_key_is_kept_private(served):
    key_file = served["tmp"] / "secret-key"
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_ctrl_c_stops_the_server_and_the_worker_together(served):
    process = served["process"]
    log = served["log"].read_text()
    assert "Starting worker" in log  # the background worker runs beside the server
    os.kill(process.pid, signal.SIGINT)  # what Ctrl-C sends
    deadline = time.monotonic() + STOP_TIMEOUT
    while (process.poll() is None or group_alive(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)  # poll() reaps serve.sh itself; the group then lives while a child does
    assert process.returncode is not None, "serve.sh outlived Ctrl-C"
    assert not group_alive(process.pid), "the server or the worker outlived Ctrl-C"
    with pytest.raises(OSError):
        fetch(served["base"] + "/")


def test_make_run_passes_host_and_port_to_the_server_and_the_public_url():
    result = subprocess.run([MAKE, "-n", "run", "HOST=0.0.0.0", "PORT=8080"], cwd=ROOT, env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    serve = [line for line in result.stdout.splitlines() if "scripts/serve.sh" in line]
    assert len(serve) == 1 and "HOST=0.0.0.0 PORT=8080" in serve[0]
    public = re.search(r"SANGKIEN_PUBLIC_URL=(\S+)", serve[0]).group(1)
    assert re.fullmatch(r"http://[^/]+:8080", public) and "0.0.0.0" not in public  # noqa: S104
    result = subprocess.run([MAKE, "-n", "run", "PUBLIC_URL=https://sangkien.example.vn"], cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, timeout=60)
    assert "SANGKIEN_PUBLIC_URL=https://sangkien.example.vn " in result.stdout


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", "9000", "http://127.0.0.1:9000"),
    ("localhost", "80", "http://localhost"),
    ("fd00::5", "8080", "http://[fd00::5]:8080"),
])
def test_public_url_is_built_from_host_and_port(host, port, expected):
    result = subprocess.run([str(ROOT / "scripts" / "public-url.sh"), host, port], cwd=ROOT, capture_output=True, text=True,
                            timeout=10)
    assert result.stdout.strip() == expected

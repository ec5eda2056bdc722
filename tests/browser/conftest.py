"""Fixtures for the browser tests: Debian's chromium through Playwright, a small tree.

Playwright's sync API runs an asyncio event loop in the test thread, so
Django's "async unsafe" guard must be lifted for the ORM calls the tests make
between browser steps.  The live server runs in its own thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sangkien.core.clock import now
from sangkien.programmes.models import Field
from sangkien.units.models import UnitKind
from tests.factories import PhaseFactory, ProgrammeFactory, UserFactory, grant, make_unit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mat-khau-dai-123"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"  # `make screenshots` copies the README's set to docs/


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch):
    """Playwright's event loop makes Django refuse ORM calls; allow them, in these tests only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@contextmanager
def _chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright with the house flags; fails when it is missing."""
    if not Path(CHROMIUM).exists():  # `make test` installs it (make chromium)
        pytest.fail(f"{CHROMIUM} is not installed: run `make chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser():
    """A headless chromium (Debian's binary; never ``playwright install``)."""
    with _chromium() as chromium:
        yield chromium


def sign_in(page, base: str, login: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page as ``login`` with ``password``.

    :raises AssertionError: the page is still the sign-in page afterwards.
    """
    page.goto(f"{base}/tai-khoan/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form[action*='/tai-khoan/login/'] button[type=submit]").click()
    assert "/tai-khoan/login/" not in page.url, "sign-in failed"


# The description's text as a reader sees it (tags dropped, no-break spaces as spaces).
DESCRIPTION_HOLDS = """text => {
    const html = document.querySelector('#id_description').value;
    const body = new DOMParser().parseFromString(html, 'text/html').body;
    return body.textContent.replace(/\\u00a0/g, ' ').includes(text);
}"""
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def type_description(page, text: str, *, click: bool = True) -> None:
    """Type ``text`` into the description's Trix editor, as a member does, and wait until Trix has all of it.

    Trix renders each key in the next animation frame, and that render puts the selection
    back into the editor, which in Chromium moves the focus there (basecamp/trix#353).  A
    field filled before that frame loses its text to the description: under CI's load the
    frame came late, the benefit box stayed empty and the form was accepted, or came back
    from a 503 without it.  Trix writes the hidden input in that same render, so once the
    input holds the whole of ``text`` no key is left to render; two more frames let any
    follow-up render run.  ``click=False`` types where the caret already is.

    :raises playwright.sync_api.TimeoutError: the input never holds ``text``.
    """
    if click:
        page.click("trix-editor")
    page.keyboard.type(text)
    page.wait_for_function(DESCRIPTION_HOLDS, arg=text)
    page.evaluate(TWO_FRAMES)


def switch_language(page, language: str) -> None:
    """Choose ``language`` ("vi" or "en") with the header's switcher, as a user does.

    Nothing is clicked for "vi" (the site's language); either way the page's
    ``<html lang>`` must then be ``language``.

    :raises AssertionError: the page is not in ``language`` afterwards.
    """
    if language != "vi":
        with page.expect_navigation():
            page.locator(f"header button[name=language][value={language}]").click()
    assert page.locator("html").get_attribute("lang") == language


@pytest.fixture
def shoot():
    """``shoot(page, "01-name")`` saves a full-page PNG under var/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return _shoot


@pytest.fixture
def journey_world(transactional_db):
    """TLĐ → Ninh Bình (37) → Yên Khánh (375) → two CĐCS; an open programme; a reviewer.

    The phase window is open at the real current time (cookies and sessions in
    the browser need real time, so the clock is not frozen).
    """
    root = make_unit(code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)
    province = make_unit(root, code="37", name="LĐLĐ tỉnh Ninh Bình", kind=UnitKind.PROVINCIAL_FEDERATION)
    district = make_unit(province, code="375", name="LĐLĐ huyện Yên Khánh",
                         kind=UnitKind.DISTRICT_FEDERATION)
    school = make_unit(district, code="375-0001", name="CĐCS Trường THCS Khánh Hội", member_count=40)
    factory = make_unit(district, code="375-0002", name="CĐCS Công ty May Yên Khánh", member_count=900)
    for unit in (root, province, district, school, factory):
        unit.refresh_from_db()
    programme = ProgrammeFactory(slug="01-trieu-sang-kien",
                                 name="01 triệu sáng kiến – nỗ lực vượt khó, sáng tạo",
                                 organiser=root)
    current = now()
    phase = PhaseFactory(programme=programme, number=1,
                         submission_start=current - dt.timedelta(days=1),
                         submission_end=current + dt.timedelta(days=30),
                         effect_start=None, effect_end=None)
    fields = [Field.objects.create(code="giao-duc", name="Giáo dục, đào tạo", position=1),
              Field.objects.create(code="san-xuat", name="Sản xuất, kinh doanh", position=2)]
    reviewer = UserFactory(full_name="Phạm Thị Duyệt", email="duyet@yenkhanh.vn")
    grant(reviewer, district, "reviewer")
    return {"root": root, "province": province, "district": district, "school": school,
            "factory": factory, "programme": programme, "phase": phase, "fields": fields,
            "reviewer": reviewer}


@pytest.fixture(scope="session", autouse=True)
def _end_live_server_sessions(django_db_setup, django_db_blocker):
    """Chromium keeps HTTP connections alive, so a live-server thread may still
    hold a PostgreSQL session when the test database is dropped; end them."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.close()


# -- the browser test matrix (tests/browser/test_matrix.py) -------------------------------

@pytest.fixture(scope="module")
def matrix_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix world, committed, behind a live server of its own on 127.0.0.1.

    Yields ``(base_url, world, cookies)``: ``cookies[role]`` is the session
    cookie (a dict for Playwright's ``add_cookies``) of the role's user, None
    for anonymous. Module-scoped, so the ~600 pages of the matrix share one
    world (pytest-django's ``live_server`` would flush it after every test);
    the database is flushed when the module ends, as a transactional test does.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client, override_settings
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    from tests.browser.matrix_world import build_world
    from tests.conftest import _start_sequences_high, is_test_database

    with (pytest.MonkeyPatch.context() as mp, django_db_blocker.unblock(),
          # the sessions are made once and a role's first page may come an hour later: the officers' idle
          # limit (tests/security/test_sessions.py) would sign them out before the matrix reaches them
          override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"),
                            SANGKIEN_SESSION_OFFICER_IDLE_MINUTES=12 * 60)):
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # pytest-django creates test databases only for tests marked django_db or
        # using db/live_server, which the matrix cannot (they flush after each test).
        missing = {alias for alias in connections if not is_test_database(connections[alias])}
        created = setup_databases(verbosity=0, interactive=False, aliases=missing) if missing else None
        for alias in missing:
            _start_sequences_high(connections[alias])
        try:
            world = build_world()
            cookies: dict[str, dict | None] = {}
            for role, user in world.users.items():
                cookies[role] = None
                if user is not None:
                    client = Client()
                    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
                    cookies[role] = {"name": settings.SESSION_COOKIE_NAME,
                                     "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
            server = LiveServer("127.0.0.1")
            server._live_server_modified_settings.enable()
            try:
                yield server.url, world, cookies
            finally:
                _wait_for_request_threads()
                server.stop()
                server._live_server_modified_settings.disable()
        finally:
            for alias in connections:
                call_command("flush", verbosity=0, interactive=False, database=alias,
                             reset_sequences=False, inhibit_post_migrate=False)
            if created is not None:
                teardown_databases(created, verbosity=0)



def _wait_for_request_threads(timeout: float = 10.0) -> None:
    """Let the live server's request threads finish before it stops.

    Chromium closes its keep-alive connections when it quits; each request thread
    then closes the database connections it shares with the test thread. If the
    server stopped first, that sharing has ended and the thread fails ("created in
    a thread can only be used in that same thread"), its socket left unclosed.
    Bounded: at most ``timeout`` seconds.
    """
    import threading
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
            "process_request_thread" in thread.name for thread in threading.enumerate()):
        time.sleep(0.05)


@pytest.fixture(scope="module")
def matrix_browser():
    """One headless chromium for the whole matrix module."""
    with _chromium() as chromium:
        yield chromium

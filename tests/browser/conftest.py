"""Fixtures for the browser tests: Debian's chromium through Playwright, a small tree.

Playwright's sync API runs an asyncio event loop in the test thread, so
Django's "async unsafe" guard must be lifted for the ORM calls the tests make
between browser steps.  The live server runs in its own thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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


@pytest.fixture
def browser():
    """A headless chromium (Debian's binary; never ``playwright install``)."""
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

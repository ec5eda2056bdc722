"""Fixtures shared by every test: a small union tree and a programme."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.utils import translation

from sangkien.units.models import UnitKind
from tests.factories import PhaseFactory, ProgrammeFactory, make_unit
from tests.i18n.catalogues import compile_stale_catalogues

#: Every table's primary keys start above this in the test database, each table
#: in its own range, so an identifier that goes through number localisation
#: (``1.000.123``) or a pk of the wrong model shows up in any test.
PK_START = 1_000_000
PK_RANGE = 100_000


def _start_sequences_high(connection) -> None:
    """Move every integer primary-key sequence of ``connection`` above PK_START."""
    models = [m for m in apps.get_models(include_auto_created=True)
              if m._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}
              and m._meta.managed and not m._meta.proxy]
    tables = sorted({m._meta.db_table: m._meta.pk.column for m in models}.items())
    with connection.cursor() as cursor:
        for index, (table, column) in enumerate(tables):
            start = PK_START + index * PK_RANGE
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                               [connection.ops.quote_name(table), column, start])
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                               [table, start - 1])
            else:  # pragma: no cover - only SQLite and PostgreSQL are supported
                raise NotImplementedError(connection.vendor)


def is_test_database(connection) -> bool:
    """Whether ``connection`` points at a test database (SQLite in memory, or named ``test_…``)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return True
    return str(connection.settings_dict["NAME"]).rpartition("/")[2].startswith("test_")


def pytest_configure(config):
    """Compile stale translation catalogues once, in the controller (not in xdist workers)."""
    if not hasattr(config, "workerinput"):
        compile_stale_catalogues()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Passwords hashed with MD5 in every test: Django's default PBKDF2 (1,000,000 iterations)
    takes ~0.45 s a hash on this 2-core machine, and every user a factory makes and every
    sign-in through a form pays it.  What a test checks of passwords (right, wrong, reset,
    asked again before an export) does not depend on the hasher; the servers the deploy and
    benchmark tests start run with the project's own settings."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Vietnamese): a request made in English leaves
    English active in the test's thread, as Django's LocaleMiddleware does not switch back."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: counters kept there (the hourly upload quota,
    rate limits) would otherwise carry over between tests frozen at the same hour, whose
    users get the same primary keys once their transaction is rolled back.  The same for the
    band keys the duplicate index learned are frequent (a programme's keys embed its id)."""
    from sangkien.duplicates.index import LEARNED

    cache.clear()
    LEARNED.forget()
    yield
    cache.clear()
    LEARNED.forget()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test databases, with primary keys starting above 1,000,000 (issue 8.1)."""
    with django_db_blocker.unblock():
        for alias in connections:
            # pytest-django creates only the databases the selected tests need;
            # never touch a developer's own database.
            if is_test_database(connections[alias]):
                _start_sequences_high(connections[alias])


@pytest.fixture
def tree(db):
    """TLĐ → two provinces → a district each → two grassroots unions each.

    Returns a dict of units by short name: ``root``, ``p1``, ``p2``, ``d1``,
    ``d2``, ``g11``, ``g12``, ``g21``, ``g22``.
    """
    root = make_unit(code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)
    p1 = make_unit(root, code="37", name="LĐLĐ tỉnh Ninh Bình", kind=UnitKind.PROVINCIAL_FEDERATION)
    p2 = make_unit(root, code="24", name="LĐLĐ tỉnh Bắc Giang", kind=UnitKind.PROVINCIAL_FEDERATION)
    d1 = make_unit(p1, code="375", name="LĐLĐ huyện Yên Khánh", kind=UnitKind.DISTRICT_FEDERATION)
    d2 = make_unit(p2, code="213", name="LĐLĐ huyện Yên Thế", kind=UnitKind.DISTRICT_FEDERATION)
    g11 = make_unit(d1, code="375-0001", name="CĐCS Trường THCS Khánh Hội", member_count=40)
    g12 = make_unit(d1, code="375-0002", name="CĐCS Công ty May Yên Khánh", member_count=900)
    g21 = make_unit(d2, code="213-0001", name="CĐCS Trường Tiểu học Bố Hạ", member_count=30)
    g22 = make_unit(d2, code="213-0002", name="CĐCS Công ty Giày Yên Thế", member_count=1200)
    units = {"root": root, "p1": p1, "p2": p2, "d1": d1, "d2": d2,
             "g11": g11, "g12": g12, "g21": g21, "g22": g22}
    for unit in units.values():
        unit.refresh_from_db()
    return units


@pytest.fixture
def programme(tree):
    return ProgrammeFactory(slug="75-nghin-2021", name="75 nghìn sáng kiến, vượt khó, phát triển",
                            organiser=tree["root"])


@pytest.fixture
def phase(programme):
    """Window 10/3/2021 00:00 – 21/4/2021 00:00 local ("24h ngày 20/4/2021")."""
    return PhaseFactory(programme=programme, number=1)

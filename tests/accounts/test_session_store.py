"""The database session store that reads a session with one plain statement (issue 12, round 11)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sangkien.accounts import session_store
from sangkien.core import sql
from sangkien.core.clock import local_datetime
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = {"a": 1, "tên": "Hoàng Thị Mai", "list": [1, 2, 3]}


def written_by_django(expiry_seconds: int = 3600) -> str:
    store = django_db.SessionStore()
    store.update(DATA)
    store.set_expiry(expiry_seconds)
    store.create()
    return store.session_key


def data(loaded: dict) -> dict:
    """``loaded`` without the expiry that ``set_expiry`` stores with the data."""
    return {k: v for k, v in loaded.items() if k != "_session_expiry"}


def test_it_is_the_engine_without_redis():
    assert settings.SESSION_ENGINE == "sangkien.accounts.session_store"


def test_a_session_written_by_djangos_store_is_read_alike_in_one_statement():
    key = written_by_django()
    with CaptureQueriesContext(connection) as ctx:
        loaded = session_store.SessionStore(key).load()
    assert loaded == django_db.SessionStore(key).load() and data(loaded) == DATA
    assert len(ctx.captured_queries) == 1
    assert "django_session" in ctx.captured_queries[0]["sql"]


def test_an_expired_session_is_not_read_and_loses_its_key():
    with time_machine.travel(local_datetime(2026, 3, 1, 8), tick=False):
        key = written_by_django(expiry_seconds=600)
    with time_machine.travel(local_datetime(2026, 3, 1, 8, 9), tick=False):
        assert data(session_store.SessionStore(key).load()) == DATA  # 9 minutes: still valid
    with time_machine.travel(local_datetime(2026, 3, 1, 8, 11), tick=False):
        store = session_store.SessionStore(key)
        assert store.load() == {} == django_db.SessionStore(key).load()
        assert store.session_key is None  # a new key when it is saved, as Django's store does
        store["b"] = 2
        store.save()
        assert store.session_key not in (None, key)
    assert Session.objects.filter(session_key=key).exists()  # left for clearsessions


@pytest.mark.parametrize("key", ["x" * 32, "short", "", None, "'; DROP TABLE django_session; --" + "x" * 8])
def test_an_unknown_or_malformed_key_reads_nothing(key):
    written_by_django()
    store = session_store.SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
    assert Session.objects.count() == 1


def test_a_tampered_session_row_reads_as_empty():
    key = written_by_django()
    Session.objects.filter(session_key=key).update(session_data="not a signed value")
    assert session_store.SessionStore(key).load() == {}


def test_a_signed_in_member_stays_signed_in_and_signing_out_ends_the_session(client):
    member = UserFactory()
    client.force_login(member)
    key = client.session.session_key
    assert isinstance(client.session, session_store.SessionStore)
    page = client.get(reverse("accounts_my_data"))
    assert page.status_code == 200 and page.wsgi_request.user == member
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("accounts_my_data")).status_code == 302  # to the sign-in page


def test_the_statement_is_built_once():
    sql._by_pk_plan.cache_clear()
    key = written_by_django()
    for _ in range(3):
        session_store.SessionStore(key).load()
    assert sql._by_pk_plan.cache_info().misses == 1


def test_expiry_is_compared_at_the_current_time_not_at_the_day():
    moment = local_datetime(2026, 3, 1, 23, 59, 30)
    with time_machine.travel(moment, tick=False):
        key = written_by_django(expiry_seconds=20)
    with time_machine.travel(moment + dt.timedelta(seconds=19), tick=False):
        assert data(session_store.SessionStore(key).load()) == DATA
    with time_machine.travel(moment + dt.timedelta(seconds=21), tick=False):
        assert session_store.SessionStore(key).load() == {}

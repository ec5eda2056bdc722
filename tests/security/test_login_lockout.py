"""Issue 9.3: failed logins lock the account they aim at, never everyone behind the proxy.

Every request here comes from the reverse proxy's address (10.0.0.2), as behind the
documented nginx; the clients' own addresses arrive in ``X-Forwarded-For``.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from sangkien.accounts.lockout import client_ip, login_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    settings.SANGKIEN_TRUSTED_PROXIES = [PROXY]
    settings.ACCOUNT_RATE_LIMITS = False  # allauth's own limit would answer first; axes is under test


def attempt(client, login, password, client_address):
    return client.post(reverse("account_login"), {"login": login, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_ten_bad_logins_lock_that_account_only(client):
    victim = UserFactory(phone="+84912000001")
    colleague = UserFactory(phone="+84912000002")
    for n in range(10):
        attempt(client, "0912 000 001", f"sai-mat-khau-{n}", f"203.0.113.{n + 1}")
    locked = attempt(client, "0912.000.001", "mat-khau-dai-123", "203.0.113.99")
    assert locked.status_code in (403, 429), "the attacked account is locked, whatever address tries"
    assert not locked.wsgi_request.user.is_authenticated
    client.logout()
    ok = attempt(client, "0912 000 002", "mat-khau-dai-123", "203.0.113.1")
    assert ok.status_code == 302, "a colleague behind the same proxy still signs in"
    assert victim.pk != colleague.pk
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) <= {
        f"203.0.113.{n + 1}" for n in (*range(10), 98)}, "attempts are recorded with the client's address"


def test_the_ways_of_writing_a_phone_number_are_one_account():
    assert {login_key(None, {"login": text}) for text in
            ("0912 000 001", "0912.000.001", "+84 912 000 001", "84912000001")} == {"+84912000001"}
    assert login_key(None, {"email": "Hoa@Example.VN"}) == "hoa@example.vn"


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(settings):
    factory = RequestFactory()
    settings.SANGKIEN_TRUSTED_PROXIES = [PROXY]
    spoofed = factory.post("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(spoofed) == "198.51.100.7"
    proxied = factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(proxied) == "203.0.113.5", "the right-most address the proxy saw"
    chained = factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.5, {PROXY}")
    assert client_ip(chained) == "203.0.113.5"
    garbage = factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == PROXY
    settings.SANGKIEN_TRUSTED_PROXIES = []
    assert client_ip(proxied) == PROXY

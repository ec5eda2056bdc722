"""Production settings: `check --deploy` is clean; no secret key, no start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from sangkien.core.db_router import (
    PIN_COOKIE,
    PrimaryPinMiddleware,
    PrimaryReplicaRouter,
    is_pinned,
)

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SANGKIEN_", "DATABASE_"))}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


SMS_GATEWAY = {"SANGKIEN_SMS_BACKEND": "sangkien.accounts.sms.HttpGatewayBackend",
               "SANGKIEN_SMS_GATEWAY_URL": "https://sms.example.vn/send", "SANGKIEN_SMS_API_KEY": "k",
               "SANGKIEN_SMS_BRANDNAME": "CONGDOAN"}


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SANGKIEN_ENV="production",
                    SANGKIEN_SECRET_KEY=secrets.token_urlsafe(50), SANGKIEN_ALLOWED_HOSTS="sangkien.example.vn",
                    **SMS_GATEWAY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_production_texts_to_the_console():
    result = manage("check", "--deploy", SANGKIEN_ENV="production",
                    SANGKIEN_SECRET_KEY=secrets.token_urlsafe(50), SANGKIEN_ALLOWED_HOSTS="sangkien.example.vn")
    assert "accounts.W001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SANGKIEN_ENV="production")
    assert result.returncode != 0
    assert "SANGKIEN_SECRET_KEY must be set in production" in result.stderr


def test_replica_router_keeps_writes_and_just_written_reads_on_the_primary(rf):
    router = PrimaryReplicaRouter()
    assert router.db_for_read(None) == "replica" and router.db_for_write(None) == "default"
    seen = {}

    def view(request):
        seen["pinned"] = is_pinned()
        from django.http import HttpResponse
        return HttpResponse("ok")

    middleware = PrimaryPinMiddleware(view)
    response = middleware(rf.post("/can-bo/sang-kien/SK-X/xet-duyet/"))
    assert seen["pinned"] is True and PIN_COOKIE in response.cookies  # a review decision
    request = rf.get("/thong-ke/x/TLD/")
    request.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    middleware(request)
    assert seen["pinned"] is True  # the same browser right after its write
    middleware(rf.get("/thong-ke/x/TLD/"))
    assert seen["pinned"] is False  # anyone else reads the replica
    assert router.allow_migrate("replica", "initiatives") is False


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL run only")
def test_the_suite_really_runs_on_postgresql():
    from django.db import connection
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("weak", ["x", "a" * 60, "django-insecure-" + secrets.token_urlsafe(50),
                                  secrets.token_urlsafe(30)],
                         ids=["one-character", "one-repeated-character", "django-insecure", "too-short"])
def test_production_refuses_a_weak_secret_key(weak):
    result = manage("check", SANGKIEN_ENV="production", SANGKIEN_SECRET_KEY=weak,
                    SANGKIEN_ALLOWED_HOSTS="sangkien.example.vn")
    assert result.returncode != 0
    assert "SANGKIEN_SECRET_KEY is too weak for production" in result.stderr


def test_pages_deny_browser_features_they_never_use(client, db):
    policy = client.get("/theo-doi/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy

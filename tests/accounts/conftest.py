"""Account tests: texts go to files under a temporary folder; rate limits start empty."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    """Messages are written by the FileBackend under ``tmp_path/sms``; returns that folder."""
    settings.SANGKIEN_SMS_BACKEND = "sangkien.accounts.sms.FileBackend"
    settings.SANGKIEN_SMS_FILE_PATH = str(tmp_path / "sms")
    cache.clear()
    yield tmp_path / "sms"
    cache.clear()

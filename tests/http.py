"""Helpers for reading responses in tests."""

from __future__ import annotations

from django.core.signals import request_finished
from django.db import close_old_connections


def close_response(response) -> None:
    """Release a (file) response's resources without the end-of-request signal closing the
    test's database connection, as the test client itself avoids (on PostgreSQL the test's
    transaction would be lost)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)

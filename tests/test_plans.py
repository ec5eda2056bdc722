"""The plan helper (``tests/plans.py``) leaves the test's transaction as it found it."""

import os

import pytest
from django.db import connection

from tests.plans import query_plan

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                 reason="PostgreSQL's planner settings; SQLite has none")]


def test_the_planner_settings_end_with_the_plan():
    """Released, the helper's savepoint kept its ``SET LOCAL``s on for the rest of the test: every later
    statement, and the deferred constraint checks at its end, planned without index or bitmap scans (a
    test that had just bloated the table then spent minutes in ``SET CONSTRAINTS``)."""
    assert "Seq Scan" in query_plan("SELECT id FROM initiatives_initiative WHERE title = 'x'", index_only=True)
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
            cursor.execute(f"SHOW {setting}")
            assert cursor.fetchone()[0] == "on", setting

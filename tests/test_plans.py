"""The plan helper (``tests/plans.py``) leaves the test's transaction as it found it."""

import pytest
from django.db import connection

from sangkien.units.models import Unit
from tests.plans import query_plan

pytestmark = pytest.mark.django_db


def test_the_plan_leaves_the_tests_rows_and_settings_as_they_were(tree):
    """The helper rolls back its own savepoint, and only it: the test's rows stay.  Released, as
    before, its ``SET LOCAL``s stayed on for the rest of the test (PostgreSQL): every later statement,
    and the deferred constraint checks at its end, planned without index or bitmap scans (a test that
    had just bloated the table then spent minutes in ``SET CONSTRAINTS``)."""
    made = Unit.objects.count()
    assert made > 1  # the fixture's tree, written in the test's transaction
    assert query_plan("SELECT id FROM units_unit WHERE name = 'x'", index_only=True)
    assert Unit.objects.count() == made
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
                cursor.execute(f"SHOW {setting}")
                assert cursor.fetchone()[0] == "on", setting

"""What the database plans to do with a statement (``EXPLAIN``), for tests that pin an index."""

from __future__ import annotations

from django.db import connection, transaction


def query_plan(sql: str, params: list | tuple = ()) -> str:
    """The plan of ``sql`` on the test database, its lines joined by " | ".

    SQLite: ``EXPLAIN QUERY PLAN`` (``SEARCH`` is a look-up in an index, ``SCAN`` reads every
    row). PostgreSQL: ``EXPLAIN`` with sequential scans off, since a test's few rows are cheaper
    to scan than to look up: the plan then says which index the statement can use, not whether
    the planner would at this size.
    """
    with transaction.atomic(), connection.cursor() as cursor:  # SET LOCAL lasts for this block
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(row[-1] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return " | ".join(row[0] for row in cursor.fetchall())

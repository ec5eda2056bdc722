"""What the database plans to do with a statement (``EXPLAIN``), for tests that pin an index."""

from __future__ import annotations

from django.db import connection, transaction


def query_plan(sql: str, params: list | tuple = (), *, index_only: bool = False) -> str:
    """The plan of ``sql`` on the test database, its lines joined by " | ".

    SQLite: ``EXPLAIN QUERY PLAN`` (``SEARCH`` is a look-up in an index, ``SCAN`` reads every
    row). PostgreSQL: ``EXPLAIN`` with sequential scans off, since a test's few rows are cheaper
    to scan than to look up: the plan then says which index the statement can use, not whether
    the planner would at this size.

    ``index_only`` (PostgreSQL): index and bitmap scans off too, so that the plan shows an
    "Index Only Scan" exactly when an index holds every column the statement reads.  Whether the
    planner prefers one at a test's size depends on the table's state, not on the statement: with
    the dead rows that other tests' committed data leave in a table no vacuum has visited, it
    costs an index-only scan as one that reads the table, and may take a bitmap scan of another
    index instead (CI of 02/12/2026 07:16 UTC).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(row[-1] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        if index_only:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " | ".join(row[0] for row in cursor.fetchall())
        # rolled back, not released, at the end of the block, so that the SET LOCALs end with it: a
        # released savepoint leaves them on for the rest of the test's transaction (its deferred
        # constraint checks and every later statement planned without them)
        transaction.set_rollback(True)
    return plan

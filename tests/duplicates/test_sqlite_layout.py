"""Issue 12, round 6: each of the index's two hot look-ups is one B-tree descent.

On SQLite, migration 0006 makes ``duplicates_bandkey`` a ``WITHOUT ROWID`` table and
``duplicates_fingerprint.initiative_id`` the rowid's alias; the plans below are what a query
runs (``DatabaseStore.postings`` and ``.sketches``). On PostgreSQL the same look-ups use the
primary keys' indexes (nothing to change there)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sangkien.duplicates.index import DatabaseStore
from sangkien.duplicates.models import BandKey, Fingerprint
from tests.factories import InitiativeFactory
from tests.plans import query_plan

BEFORE = [("duplicates", "0005_index_version_3")]
AFTER = [("duplicates", "0006_sqlite_compact_index")]


def _layout() -> tuple[str, str]:
    """(plan of one band key's postings, plan of one sketch read)."""
    postings = query_plan('SELECT "initiative_id" FROM "duplicates_bandkey" WHERE "band_key" = %s LIMIT 301', [7])
    sketch = query_plan('SELECT "initiative_id", "sketch" FROM "duplicates_fingerprint" WHERE "initiative_id" IN (%s)',
                   [1_000_001])
    return postings, sketch


@pytest.mark.django_db
def test_a_band_key_and_a_sketch_are_each_one_btree_descent():
    postings, sketch = _layout()
    if connection.vendor == "sqlite":
        assert postings == "SEARCH duplicates_bandkey USING PRIMARY KEY (band_key=?)"
        assert sketch == "SEARCH duplicates_fingerprint USING INTEGER PRIMARY KEY (rowid=?)"
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name IN "
                           "('duplicates_bandkey', 'duplicates_fingerprint') AND name LIKE 'sqlite_autoindex%%'")
            assert cursor.fetchall() == []  # no second B-tree beside either table
    else:
        assert "duplicates_bandkey_pkey" in postings
        assert "duplicates_fingerprint_pkey" in sketch


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_row_both_ways(tree, phase):
    initiatives = [InitiativeFactory(phase=phase, unit=tree["g11"]) for _ in range(3)]
    ids = [i.pk for i in initiatives]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        keys = [-(2**31) + 5, 11, 2**31 - 1]  # both ends of the 32-bit range
        BandKey.objects.bulk_create([BandKey(band_key=key, initiative_id=pk) for pk in ids for key in keys])
        Fingerprint.objects.bulk_create([Fingerprint(initiative_id=pk, sketch=bytes([n]) * 64, text_digest=-n)
                                         for n, pk in enumerate(ids)])
        store = DatabaseStore(phase.programme_id)

        def read() -> tuple:
            return store.postings(keys, limit=300), dict(store.sketches(ids))

        before, answers = _layout(), read()

        MigrationExecutor(connection).migrate(AFTER)
        assert read() == answers
        assert list(Fingerprint.objects.filter(text_digest=-1).values_list("initiative_id", flat=True)) == [ids[1]]
        if connection.vendor == "sqlite":
            assert _layout() != before

        MigrationExecutor(connection).migrate(BEFORE)  # and back: Django's own layout, the same rows
        assert _layout() == before
        assert read() == answers
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

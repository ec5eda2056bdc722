"""Issue 12, round 6: on SQLite, the near-duplicate index's two hot tables without a second B-tree.

Django writes ``duplicates_bandkey`` as a rowid table plus the automatic index of its
``(band_key, initiative_id)`` primary key, and ``duplicates_fingerprint``'s ``bigint``
primary key as an automatic index beside the rowid. A query reads only the band-key index
and one sketch per candidate, so:

- ``duplicates_bandkey`` becomes a ``WITHOUT ROWID`` table: the primary key's B-tree *is* the
  table (at 2,000,000 initiatives the rowid table was 682 MB that no query read, written by
  every build and competing with the index for the page cache);
- ``duplicates_fingerprint.initiative_id`` becomes ``integer PRIMARY KEY``, SQLite's alias of
  the rowid: a sketch is one B-tree descent, not a look-up in the automatic index and then in
  the table (two random reads a candidate on a cold cache, up to 800 candidates a query).

Columns, constraints and Django's model are unchanged (the ORM cannot say ``WITHOUT ROWID``;
tests/duplicates/test_sqlite_layout.py checks the layout, so a later migration that remakes
these tables from the model cannot drop it unnoticed). PostgreSQL is untouched: its tables
are heaps with their indexes whatever the declaration. The rows are copied in key order: 57 s
and 92 MB for 2,000,000 initiatives (40,000,000 band keys) on the 2-core benchmark machine.
"""

from typing import Any

from django.db import migrations

BANDKEY = '"duplicates_bandkey"'
FINGERPRINT = '"duplicates_fingerprint"'
DIGEST_INDEX = '"duplicates_fingerprint_text_digest_66f95b65"'


def _tables(*, compact: bool) -> list[tuple[str, str, str, str, list[str]]]:
    """(table, CREATE TABLE of its new copy, columns, key order, statements after the swap)."""
    rowid = " WITHOUT ROWID" if compact else ""
    key_type = "integer" if compact else "bigint"
    return [
        (BANDKEY,
         f'CREATE TABLE "duplicates_bandkey__new" ("band_key" integer NOT NULL, "initiative_id" bigint NOT NULL, '
         f'PRIMARY KEY ("band_key", "initiative_id")){rowid}',
         '"band_key", "initiative_id"', '"band_key", "initiative_id"', []),
        (FINGERPRINT,
         f'CREATE TABLE "duplicates_fingerprint__new" ("initiative_id" {key_type} NOT NULL PRIMARY KEY '
         f'REFERENCES "initiatives_initiative" ("id") DEFERRABLE INITIALLY DEFERRED, "sketch" BLOB NOT NULL, '
         f'"text_digest" bigint NULL)',
         '"initiative_id", "sketch", "text_digest"', '"initiative_id"',
         [f'CREATE INDEX {DIGEST_INDEX} ON {FINGERPRINT} ("text_digest")']),
    ]


def _remake(schema_editor: Any, *, compact: bool) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, create, columns, key, after in _tables(compact=compact):
        new = table[:-1] + '__new"'
        schema_editor.execute(create)
        schema_editor.execute(f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {table} ORDER BY {key}")  # noqa: S608 — names are ours
        schema_editor.execute(f"DROP TABLE {table}")
        schema_editor.execute(f"ALTER TABLE {new} RENAME TO {table}")
        for statement in after:
            schema_editor.execute(statement)


def compact(apps: Any, schema_editor: Any) -> None:
    _remake(schema_editor, compact=True)


def expand(apps: Any, schema_editor: Any) -> None:
    _remake(schema_editor, compact=False)


class Migration(migrations.Migration):
    dependencies = [
        ("duplicates", "0005_index_version_3"),
    ]

    operations = [
        migrations.RunPython(compact, expand),
    ]

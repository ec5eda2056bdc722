"""Issue 12, round 4: normalisation version 3 leaves the domain's common bigrams out of the
LSH set (``signature.COMMON_BIGRAMS``), which changes every band key and sketch.

An index that exists keeps the version recorded by 0004 (1 or 2), so ``manage.py
rebuild_duplicate_index --check`` reports it stale until ``manage.py rebuild_duplicate_index``
rebuilds it. An empty index (a new database) is recorded as version 3: nothing in it can be stale.
"""

from typing import Any

from django.db import migrations


def record(apps: Any, schema_editor: Any) -> None:
    Fingerprint = apps.get_model("duplicates", "Fingerprint")
    IndexVersion = apps.get_model("duplicates", "IndexVersion")
    if not Fingerprint.objects.exists():
        IndexVersion.objects.update_or_create(id=1, defaults={"version": 3})


class Migration(migrations.Migration):
    dependencies = [
        ("duplicates", "0004_index_version"),
    ]

    operations = [
        migrations.RunPython(record, migrations.RunPython.noop),
    ]

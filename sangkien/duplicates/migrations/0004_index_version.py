"""Issue 12: the version of the normalisation that built the stored index.

An index that exists when this migration runs was built by version 1 (the
only one before it): recorded as such, so ``manage.py
rebuild_duplicate_index --check`` reports it stale until
``manage.py rebuild_duplicate_index`` rebuilds it with the running code.
An empty index (a new database) is recorded as version 2, the code's
version when this migration was written: nothing in it can be stale.
"""

from django.db import migrations, models


def record(apps, schema_editor):
    Fingerprint = apps.get_model("duplicates", "Fingerprint")
    IndexVersion = apps.get_model("duplicates", "IndexVersion")
    built = Fingerprint.objects.exists()
    IndexVersion.objects.create(id=1, version=1 if built else 2)


class Migration(migrations.Migration):
    dependencies = [
        ("duplicates", "0003_exact_digest_frequent_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.PositiveSmallIntegerField()),
            ],
            options={"verbose_name": "duplicate index version"},
        ),
        migrations.RunPython(record, migrations.RunPython.noop),
    ]

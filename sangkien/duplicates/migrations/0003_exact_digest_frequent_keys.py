"""Issue 12: the normalised-text digest on every fingerprint, and the frequent band keys.

The backfill reads the fingerprinted initiatives in primary-key batches and
sets ``text_digest`` (the first 64 bits of the SHA-256 of the normalised
text, as :func:`sangkien.duplicates.exact.text_digest`) with one
``executemany`` per batch; then it counts the band keys held by more than
300 rows (``detector.MAX_POSTING``) into ``FrequentKey``.

Like ``0002_exact_text`` it imports :func:`sangkien.duplicates.normalise.normalise`,
a pure function of two strings (no models): the digests must hash exactly
what the running code hashes.
"""

import hashlib

from django.db import migrations, models

from sangkien.duplicates.normalise import normalise

BATCH = 2000
MAX_POSTING = 300  # frozen copy of detector.MAX_POSTING (a migration imports no app module with models)


def backfill(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    Fingerprint = apps.get_model("duplicates", "Fingerprint")
    BandKey = apps.get_model("duplicates", "BandKey")
    FrequentKey = apps.get_model("duplicates", "FrequentKey")
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    update = (f"UPDATE {qn(Fingerprint._meta.db_table)} SET text_digest = %s "  # noqa: S608
              "WHERE initiative_id = %s")
    last = 0
    while True:
        ids = list(Fingerprint.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        last = ids[-1]
        rows = []
        for pk, title, description in Initiative.objects.filter(pk__in=ids).values_list("pk", "title", "description"):
            sentences = normalise(title, description)
            if not sentences:
                continue
            text = "\n".join(" ".join(s) for s in sentences)
            digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)
            rows.append((digest, pk))
        with connection.cursor() as cursor:
            cursor.executemany(update, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(FrequentKey._meta.db_table)} (band_key, postings) "  # noqa: S608
                       f"SELECT band_key, COUNT(*) FROM {qn(BandKey._meta.db_table)} GROUP BY band_key "
                       "HAVING COUNT(*) > %s", [MAX_POSTING])


class Migration(migrations.Migration):

    dependencies = [
        ('duplicates', '0002_exact_text'),
        ('initiatives', '0003_pending_upload'),
    ]

    operations = [
        migrations.CreateModel(
            name='FrequentKey',
            fields=[
                ('band_key', models.IntegerField(primary_key=True, serialize=False)),
                ('postings', models.IntegerField()),
            ],
            options={
                'verbose_name': 'frequent band key',
            },
        ),
        migrations.AddField(
            model_name='fingerprint',
            name='text_digest',
            field=models.BigIntegerField(db_index=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]

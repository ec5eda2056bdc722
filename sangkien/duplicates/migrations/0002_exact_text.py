"""The exact-text claims (issue 9 item 7), and a claim for every initiative already saved.

The backfill reads the initiatives in primary-key batches and inserts the
claims of a batch with one ``executemany`` (``ON CONFLICT DO NOTHING``).
An initiative repeating the text of an earlier one by the same author
(saved before the claims existed, e.g. by two racing tabs) keeps no claim:
the first one, by primary key, holds it; the count of those left unclaimed
is printed.  Deleting a duplicate later does not need to touch the table.

It imports :func:`sangkien.duplicates.normalise.normalise`, a pure function
of two strings (no models): the claims must hash exactly what the running
code hashes, and a copy frozen here would drift from it.
"""

import hashlib
import sys

import django.db.models.deletion
from django.db import migrations, models

from sangkien.duplicates.normalise import normalise

BATCH = 2000


def _key(submitted_by_id, phone, email):
    if submitted_by_id:
        return f"u:{submitted_by_id}"
    if phone:
        return f"p:{phone}"
    if email:
        return f"e:{email.strip().lower()}"
    return ""


def claim_existing(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    Authorship = apps.get_model("initiatives", "Authorship")
    ExactText = apps.get_model("duplicates", "ExactText")
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(ExactText._meta.db_table)} (initiative_id, programme_id, author_key, text_hash) "  # noqa: S608
           "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING")
    last, wanted = 0, 0
    while True:
        rows = list(Initiative.objects.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "programme_id", "submitted_by_id", "title", "description")[:BATCH])
        if not rows:
            break
        last = rows[-1][0]
        main = {}
        for initiative_id, phone, email in (Authorship.objects.filter(initiative_id__in=[r[0] for r in rows])
                                            .order_by("initiative_id", "position", "pk")
                                            .values_list("initiative_id", "person__phone", "person__email")):
            main.setdefault(initiative_id, (phone or "", email or ""))
        claims = []
        for pk, programme_id, submitted_by_id, title, description in rows:
            sentences = normalise(title, description)
            key = _key(submitted_by_id, *main.get(pk, ("", "")))
            if not sentences or not key:
                continue
            digest = hashlib.sha256("\n".join(" ".join(s) for s in sentences).encode("utf-8")).hexdigest()
            claims.append((pk, programme_id, key, digest))
        with connection.cursor() as cursor:
            cursor.executemany(sql, claims)
        wanted += len(claims)
    unclaimed = wanted - ExactText.objects.count()
    if unclaimed:
        sys.stdout.write(f"\n  {unclaimed} initiative(s) repeat an earlier text of the same author "
                         "and were left without an exact-text claim (the earlier one holds it).\n")


class Migration(migrations.Migration):

    dependencies = [
        ('duplicates', '0001_initial'),
        ('initiatives', '0003_pending_upload'),
        ('programmes', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExactText',
            fields=[
                ('initiative', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='initiatives.initiative')),
                ('author_key', models.CharField(max_length=260)),
                ('text_hash', models.CharField(max_length=64)),
                ('programme', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.programme')),
            ],
            options={
                'verbose_name': 'exact text claim',
                'constraints': [models.UniqueConstraint(fields=('programme', 'author_key', 'text_hash'), name='exact_text_once')],
            },
        ),
        migrations.RunPython(claim_existing, migrations.RunPython.noop, elidable=True),
    ]

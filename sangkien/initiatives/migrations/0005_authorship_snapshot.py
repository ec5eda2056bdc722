"""Each authorship keeps what was typed for its initiative (issue 9 items 1 and 11).

The five columns are added empty, filled from the linked person in one
``UPDATE … FROM`` (PostgreSQL, and SQLite ≥ 3.33) — set-based, so it stays
fast at two million rows — and only then indexed.  Existing rows get the
person's details as they are today: what each initiative said when it was
sent was not kept before this migration.
"""

from django.db import migrations, models


BACKFILL = """
UPDATE initiatives_authorship
   SET full_name = p.full_name, phone = p.phone, email = p.email, job = p.job, workplace = p.workplace
  FROM initiatives_person AS p
 WHERE p.id = initiatives_authorship.person_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0004_plausibility_hold'),
    ]

    operations = [
        migrations.AddField(
            model_name='authorship',
            name='email',
            field=models.EmailField(blank=True, default='', max_length=254, verbose_name='e-mail'),
        ),
        migrations.AddField(
            model_name='authorship',
            name='full_name',
            field=models.CharField(blank=True, default='', max_length=150, verbose_name='họ và tên'),
        ),
        migrations.AddField(
            model_name='authorship',
            name='job',
            field=models.CharField(blank=True, default='', max_length=150, verbose_name='công việc'),
        ),
        migrations.AddField(
            model_name='authorship',
            name='phone',
            field=models.CharField(blank=True, default='', max_length=16, verbose_name='số điện thoại'),
        ),
        migrations.AddField(
            model_name='authorship',
            name='workplace',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='nơi làm việc'),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name='authorship',
            index=models.Index(fields=['phone'], name='authorship_phone'),
        ),
        migrations.AddIndex(
            model_name='authorship',
            index=models.Index(fields=['email'], name='authorship_email'),
        ),
        migrations.AddIndex(
            model_name='authorship',
            index=models.Index(fields=['full_name'], name='authorship_full_name'),
        ),
    ]

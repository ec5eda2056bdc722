# Issue 10: privacy is the top layer (the person's own pages).  It takes PersonClaim over from
# accounts (table accounts_personclaim kept) and hands PersonalDataAccess to the accesslog app
# (table privacy_personaldataaccess kept, see accesslog 0001).  State only: no table is created,
# renamed or dropped, no row moves.  The content type follows the model, so permissions granted
# on it and admin history stay attached.

import django.db.models.deletion
import sangkien.core.clock
from django.conf import settings
from django.db import migrations, models


def _move(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model='personclaim').exists():
        types.filter(app_label=source, model='personclaim').update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, schema_editor, 'accounts', 'privacy')


def backwards(apps, schema_editor):
    _move(apps, schema_editor, 'privacy', 'accounts')


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_person_claim_to_privacy'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('initiatives', '0003_pending_upload'),
        ('privacy', '0001_access_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PersonClaim',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('decision', models.CharField(choices=[('confirmed', 'Đúng là tôi'), ('not_me', 'Không phải tôi')], max_length=16, verbose_name='trả lời')),
                        ('at', models.DateTimeField(default=sangkien.core.clock.now, verbose_name='lúc')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='claims', to='initiatives.person')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='person_claims', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'xác nhận tác giả',
                        'verbose_name_plural': 'xác nhận tác giả',
                        'db_table': 'accounts_personclaim',
                        'constraints': [models.UniqueConstraint(fields=('user', 'person'), name='one_claim_per_person')],
                    },
                ),
                migrations.DeleteModel(name='PersonalDataAccess'),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

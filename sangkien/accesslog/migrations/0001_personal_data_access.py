# Issue 10: PersonalDataAccess moves here from privacy (see privacy 0002), so that initiatives and
# imports log accesses without importing a layer above them.  State only: the table
# privacy_personaldataaccess, its indexes and rows stay; the content type follows the model.

import django.db.models.deletion
import sangkien.core.clock
from django.conf import settings
from django.db import migrations, models


def _move(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model='personaldataaccess').exists():
        types.filter(app_label=source, model='personaldataaccess').update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, schema_editor, 'privacy', 'accesslog')


def backwards(apps, schema_editor):
    _move(apps, schema_editor, 'accesslog', 'privacy')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('initiatives', '0003_pending_upload'),
        ('privacy', '0002_person_claim_in_access_log_out'),
        ('programmes', '0001_initial'),
        ('units', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PersonalDataAccess',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=sangkien.core.clock.now, verbose_name='lúc')),
                        ('role', models.CharField(blank=True, choices=[('organising_committee', 'Ban tổ chức'), ('unit_admin', 'Quản trị đơn vị'), ('reviewer', 'Người xét duyệt'), ('support_team', 'Tổ hỗ trợ sáng kiến')], max_length=32, verbose_name='vai trò')),
                        ('kind', models.CharField(choices=[('initiative_view', 'Xem sáng kiến (có họ tên, số điện thoại, e-mail)'), ('attachment_download', 'Tải tệp đính kèm'), ('review', 'Xét duyệt sáng kiến'), ('export', 'Tải danh sách có số điện thoại, e-mail')], max_length=32, verbose_name='việc')),
                        ('object_ref', models.CharField(blank=True, max_length=255, verbose_name='đối tượng')),
                        ('purpose', models.CharField(blank=True, max_length=300, verbose_name='mục đích')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người xem')),
                        ('initiative', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='initiatives.initiative', verbose_name='sáng kiến')),
                        ('programme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='programmes.programme', verbose_name='chương trình')),
                        ('role_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='units.unit', verbose_name='đơn vị của vai trò')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='units.unit', verbose_name='đơn vị')),
                    ],
                    options={
                        'verbose_name': 'lần truy cập dữ liệu cá nhân',
                        'verbose_name_plural': 'nhật ký truy cập dữ liệu cá nhân',
                        'db_table': 'privacy_personaldataaccess',
                        'indexes': [models.Index(fields=['initiative', 'at'], name='privacy_access_initiative_at'), models.Index(fields=['kind', 'programme', 'at'], name='privacy_access_kind_prog_at')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

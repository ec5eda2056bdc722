"""The backup and restore commands of docs/deployment.md, on PostgreSQL."""

import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from sangkien.initiatives.models import Initiative
from tests.factories import InitiativeFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="backups are PostgreSQL's"),
]


def run(script, *args):
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
           f"{settings_dict['NAME']}")
    return subprocess.run([str(ROOT / "scripts" / script), *args], env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True, timeout=300, check=True)


def test_backup_then_restore_brings_back_what_was_lost(tree, phase, tmp_path):
    kept = InitiativeFactory(phase=phase, unit=tree["g11"], title="Sáng kiến cần giữ")
    archive = tmp_path / "sangkien.dump"
    run("backup-db.sh", str(archive))
    Initiative.objects.all().delete()
    InitiativeFactory(phase=phase, unit=tree["g12"], title="Tạo sau khi sao lưu")
    connection.close()
    run("restore-db.sh", str(archive))
    assert list(Initiative.objects.values_list("tracking_code", "title")) == [(kept.tracking_code, kept.title)]

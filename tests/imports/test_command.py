"""``manage.py import_initiatives``: the same pipeline, a JSON report, exit 0 only when every row is saved."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from sangkien.imports.models import ImportJob, JobStatus
from sangkien.initiatives.models import Initiative
from tests.imports.conftest import csv_file, row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]


def run(path, *extra, capsys):
    code = 0
    try:
        call_command("import_initiatives", str(path), "--programme", "75-nghin-2021", "--unit", "375",
                     "--format", "json", *extra)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def files(tmp_path, tree, phase):
    def make(rows, name="tong-hop.xlsx"):
        path = tmp_path / name
        data = csv_file(rows) if name.endswith(".csv") else \
            xlsx_file(rows, programme=phase.programme, phase=phase, scope=tree["d1"])
        path.write_bytes(data)
        return path
    return make


def test_clean_file_is_saved_and_exits_zero(files, capsys, officer):
    code, report = run(files([row(), row()]), "--user", officer.email, capsys=capsys)
    assert code == 0
    assert report | {"file": "", "sha256": "", "job": 0} == {
        "file": "", "sha256": "", "programme": "75-nghin-2021", "unit": "375", "job": 0, "dry_run": False,
        "mode": "all", "status": "saved", "rows_read": 2, "saved": 2, "already_saved": 0, "rejected": 0,
        "rejected_rows": [], "result_file": None, "message": ""}
    assert Initiative.objects.filter(entered_by=officer).count() == 2
    assert ImportJob.objects.get().source == "command"


def test_bad_rows_save_nothing_without_valid_only_and_exit_one(files, capsys):
    path = files([row(), row(author_phone="0123"), row(unit="213-0001")], name="tong-hop.csv")
    code, report = run(path, capsys=capsys)
    assert code == 1 and report["saved"] == 0 and Initiative.objects.count() == 0
    assert report["rejected"] == 2
    assert [r["row"] for r in report["rejected_rows"]] == [3, 4]
    assert report["rejected_rows"][0]["reasons"][0].startswith("Số điện thoại: ")
    assert "không thuộc phạm vi" in report["rejected_rows"][1]["reasons"][0]
    assert "--valid-only" in report["message"]


def test_valid_only_saves_the_good_rows_and_still_exits_one(files, capsys, tmp_path):
    result = tmp_path / "ket-qua.xlsx"
    code, report = run(files([row(), row(benefit_vnd="nhiều")]), "--valid-only", "--result", str(result),
                       capsys=capsys)
    assert code == 1 and (report["saved"], report["rejected"]) == (1, 1)
    assert result.stat().st_size > 0 and Initiative.objects.count() == 1


def test_dry_run_saves_nothing_and_running_twice_never_doubles(files, capsys):
    path = files([row(), row()])
    code, report = run(path, "--dry-run", capsys=capsys)
    assert (code, report["status"], Initiative.objects.count()) == (0, "checked", 0)
    assert run(path, capsys=capsys)[0] == 0
    code, report = run(path, capsys=capsys)
    assert code == 0 and (report["saved"], report["already_saved"]) == (0, 2)
    assert Initiative.objects.count() == 2
    assert ImportJob.objects.filter(status=JobStatus.SAVED).count() == 2


def test_unknown_programme_or_unit_is_a_command_error(files):
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("import_initiatives", str(files([row()])), "--programme", "75-nghin-2021", "--unit", "X")


def test_closed_phase_is_refused_like_the_submission_form(files, tree, phase):
    import time_machine

    from sangkien.core.clock import local_datetime

    path = files([row()])
    with time_machine.travel(local_datetime(2021, 4, 21, 0, 0, 1), tick=False), \
            pytest.raises(CommandError, match="tự động đóng lúc 24h ngày 20/04/2021"):
        call_command("import_initiatives", str(path), "--programme", "75-nghin-2021", "--unit", "375")

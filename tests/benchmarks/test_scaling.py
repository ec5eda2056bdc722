"""``benchmarks/scaling.py --quick --only replica``: a short real run measures what a read replica moves (issue 12).

The replica option needs no Debian package beyond the PostgreSQL that
scripts/with-postgres.sh already uses.  The run starts its own throw-away
primary, a streaming replica of it (pg_basebackup) and gunicorn, and the test
checks the values measured, not their labels: the officers' pages read on the
replica (its CPU above zero, the primary's CPU per page and its session-table
reads down), the submissions stay on the primary, every request answered,
nothing lost or doubled.
"""

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]


def test_quick_replica_run_moves_the_officer_reads_off_the_primary(tmp_path):
    out = tmp_path / "scaling.json"
    subprocess.run([str(ROOT / "scripts" / "with-postgres.sh"), str(ROOT / ".venv" / "bin" / "python"),
                    "benchmarks/scaling.py", "--quick", "--only", "replica", "--no-doc", "--members", "20",
                    "--officers", "4", "--cpu-seconds", "3", "--json", str(out)],
                   cwd=ROOT, capture_output=True, text=True, timeout=400, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))

    stages = {(stage["arm"], stage["stage"]): stage for stage in result["stages"]}
    assert list(stages) == [("baseline", "submission"), ("baseline", "officer"),
                            ("replica", "submission"), ("replica", "officer")]
    for key, stage in stages.items():
        assert stage["succeeded"] > 0
        assert stage["errors"] == 0, stage["error_kinds"]
        assert stage["cpu_ms_per"]["worker"] > 0
        # The primary serves every stage but the officers' pages with a replica, where what is left
        # (a session's last-seen stamp now and then) can be less than one clock tick (10 ms) a stage.
        assert stage["cpu_ms_per"]["db"] > 0 or key == ("replica", "officer")
        total = sum(stage["cpu_ms"].values()) / stage["succeeded"]
        assert abs(stage["cpu_ms_per"]["total"] - total) < 0.01

    without, with_replica = stages[("baseline", "officer")], stages[("replica", "officer")]
    assert "replica" not in without["cpu_ms_per"]
    assert with_replica["cpu_ms_per"]["replica"] > with_replica["cpu_ms_per"]["db"]
    assert with_replica["cpu_ms_per"]["db"] < without["cpu_ms_per"]["db"] / 2
    # Each officer page reads its session: on the primary without a replica, on the replica with one;
    # what is left on the primary is the key lookup of the rare session update (its last-seen stamp).
    assert without["session_per"]["reads"] >= 0.9
    assert with_replica["session_per"]["reads"] <= with_replica["session_per"]["writes"] < 0.5

    # A submission writes: its POST, and the form pages of a browser that just wrote, stay on the primary.
    assert stages[("replica", "submission")]["session_per"]["reads"] > 1

    check = result["count_check"]
    assert check["passed"] is True
    assert check["ok"] == check["db"] > 0


def test_the_pooler_switch_turns_server_side_cursors_off():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))")
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "sangkien.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/sangkien"}
    for value, expected in (("1", "True"), ("0", "False"), (None, "False")):
        env = {**base, **({"SANGKIEN_DISABLE_SERVER_SIDE_CURSORS": value} if value is not None else {})}
        answer = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60, check=True)
        assert answer.stdout.strip() == expected

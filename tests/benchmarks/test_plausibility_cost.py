"""``benchmarks/plausibility_cost.py`` on a small tree: both sides measured, and they are what they claim
(issue 12, round 9).

Runs the benchmark on its own throw-away SQLite file (2,000 grassroots unions, 500 initiatives in
other unions, a union of 20 then 300) and checks the values it measured, not its labels: every
case timed on both sides, the answers compared (the script stops otherwise), the union's
participants counted after only for a new author, and the whole national tree loaded.
"""

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_run_times_the_old_and_the_new_statement(tmp_path):
    out = tmp_path / "plausibility.json"
    env_free = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no DATABASE_URL: a fresh SQLite file
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "benchmarks/plausibility_cost.py", "--sizes", "20,300",
                    "--grassroots", "2000", "--elsewhere", "500", "--n", "3", "--rounds", "1", "--json", str(out)],
                   cwd=ROOT, env=env_free, capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))

    figures = result["figures"]
    assert set(figures) == {f"{size} initiatives, {author} author" for size in (20, 300) for author in ("new", "known")}
    for name, row in figures.items():
        for side in ("before", "after"):
            assert 0 < row[side]["median_ms"] <= row[side]["p95_ms"], (name, side, row)
        assert row["counted"] == (row["author"] == "new"), (name, row)
    assert result["units"] > 2000 and result["elsewhere"] == 500

"""``benchmarks/unit_chooser.py`` on a small tree: both sides measured, and they are what they claim (issue 12).

Runs the benchmark on its own throw-away SQLite file with 2,000 grassroots unions and checks the
values it measured, not its labels: every call timed on both sides, the district's listing sent
as ``path LIKE`` before and as treebeard's interval after, the two sides' answers equal (the
script stops otherwise), the whole national tree loaded (63 provinces).
"""

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_run_times_the_old_and_the_new_listing(tmp_path):
    out = tmp_path / "chooser.json"
    env_free = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no DATABASE_URL: a fresh SQLite file
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "benchmarks/unit_chooser.py", "--grassroots", "2000",
                    "--n", "3", "--rounds", "1", "--json", str(out)],
                   cwd=ROOT, env=env_free, capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))

    figures = result["figures"]
    assert set(figures) == {"national root → provinces", "largest province → upper-level unions",
                            "largest upper-level union → grassroots", "build_levels", "unit_levels request"}
    for name, row in figures.items():
        for side in ("before", "after"):
            assert 0 < row[side]["median_ms"] <= row[side]["p95_ms"], (name, side, row)
    assert figures["national root → provinces"]["children"] == 63
    assert result["units"] > 2000
    (before,), (after,) = result["statements"]["before"], result["statements"]["after"]
    assert " LIKE " in before and " BETWEEN " not in before, before
    assert " BETWEEN " in after and " LIKE " not in after, after

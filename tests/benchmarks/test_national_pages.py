"""``benchmarks/national_pages.py`` on a small national corpus: every page measured at every level, and the
two sides are what they claim (issue 12, rounds 9 and 14).

Runs the benchmark on its own throw-away SQLite file at scale 0.005 and checks the values it measured,
not its labels: the three officer pages at the four levels and the submission timed; the statements
of the two sides (round 13's code, patched in, against this round's): the national queue and home one
more for whether the root is the only one, every home one more for the uncounted initiatives counted
apart, the other pages the same; every submission saved (the script stops otherwise).
"""

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_run_measures_every_page_at_every_level(tmp_path):
    out = tmp_path / "pages.json"
    # no DATABASE_URL: a fresh SQLite file, in a folder made under TMPDIR and removed at the end
    env_free = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "benchmarks/national_pages.py", "--scale", "0.005",
                    "--n", "2", "--members", "12", "--json", str(out)],
                   cwd=ROOT, env=env_free, capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))

    figures, lineage = result["figures"], result["lineage"]
    assert lineage[:3] == ["TLD", "24", "213"] and len(lineage) == 4
    pages = {f"{code} {page}" for code in lineage for page in ("review queue", "officer home", "dashboard")}
    live = {f"{code} dashboard, live counting" for code in lineage[1:]}  # not the nation's: tens of seconds
    assert set(figures) == pages | live | {"submission form page", "submission POST"}
    for name, row in figures.items():
        assert row["after"]["median_ms"] > 0, (name, row)
        if "queries" not in row["after"]:  # the form page: not counted
            continue
        more = (name.startswith(f"{lineage[0]} ") and ("review queue" in name or "home" in name)) + ("home" in name)
        assert row["after"]["queries"] == row["before"]["queries"] + more, (name, row)
    assert result["initiatives"] > 1000 and result["units"] > 1000
    assert not list(tmp_path.glob("sk-*"))  # the throw-away database and media folder went with the run

"""``benchmarks/submission_parts.py`` on a few submissions: every part timed, as often as a
submission runs it (issue 12, round 10).

Runs the script on its own throw-away SQLite file and checks the values it measured, not its
labels: each part was entered the number of times one submission enters it (a part that was not
wrapped, or wrapped where the view no longer calls it, shows 0 calls), its CPU is above zero, and
the parts held by another cost no more than it.
"""

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]


def test_a_few_submissions_time_every_part(tmp_path):
    # no DATABASE_URL: a fresh SQLite file, in a folder made under TMPDIR and removed at the end
    env_free = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "benchmarks/submission_parts.py", "--n", "6",
                           "--warm", "2", "--json"],
                          cwd=ROOT, env=env_free, capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(done.stdout)
    assert not list(tmp_path.glob("sk-*"))  # neither the database's folder nor the media folder was left
    assert figures["vendor"] == "sqlite" and figures["n"] == 6
    assert figures["form_page_ms"] > 0 and figures["post_ms"] > 0
    parts = {p["part"]: p for p in figures["parts"]}
    # the form page and the POST each
    twice = {"view and the middleware inside it", "session and user", "consent"}
    # the POST; and the form page when it is rendered, not served whole from the cache (round 12): the
    # first page of each QR code (these few submissions cycle through the benchmark's units)
    post_and_missed_pages = {"form construction", "form validation"}
    for name, part in parts.items():
        if name in post_and_missed_pages:
            assert 1 <= part["calls"] <= 2, (name, part)
        else:
            assert part["calls"] == (2 if name in twice else 1), (name, part)
        assert part["ms"] > 0, (name, part)
    assert parts["submit_initiative (all below)"]["ms"] >= parts["the transaction's writes (all below)"]["ms"]
    assert parts["the transaction's writes (all below)"]["ms"] >= parts["claim + index entry"]["ms"]

"""``benchmarks/surge.py --quick --stages floor:4``: a short real run gives real figures (issue 12).

Runs the benchmark for about half a minute against its own throw-away
PostgreSQL (scripts/with-postgres.sh) and gunicorn, and checks the values it
measured, not its labels: CPU per submission above zero for gunicorn and
PostgreSQL, a submission dearer than the bare one-insert POST, 1–4 panel
POSTs per member submission (the form asks only from ``MIN_WORDS`` words), the
journey's floor sending as many bare ones, the load generator's CPU and the
cores kept busy, no error, nothing lost or doubled, no submission held by the
plausibility rule.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from sangkien.duplicates.similar import MIN_WORDS

pytestmark = pytest.mark.own_database  # its own database and server: once in `make test`

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_measures_the_ratio_and_loses_nothing(tmp_path):
    out = tmp_path / "surge.json"
    subprocess.run([str(ROOT / "scripts" / "with-postgres.sh"), str(ROOT / ".venv" / "bin" / "python"),
                    "benchmarks/surge.py", "--quick", "--stages", "floor:4", "--no-doc", "--members", "200", "--officers", "4",
                    "--grassroots", "2000",
                    "--cpu-seconds", "3", "--cpu-rounds", "2", "--json", str(out)],
                   cwd=ROOT, capture_output=True, text=True, timeout=170, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))

    stages = {stage["stage"]: stage for stage in result["cpu_stages"]}
    assert list(stages) == ["bare POST", "bare form+POST", "submission", "member", "bare journey"]
    for stage in stages.values():
        assert stage["rounds"] == 2 and stage["seconds"] >= 2 * 1.5  # the stages took turns, twice
        assert stage["succeeded"] > 0
        assert stage["errors"] == 0, stage["error_kinds"]
        assert stage["cpu_ms_per"]["worker"] > 0
        assert stage["cpu_ms_per"]["db"] > 0
    [floor] = result["traffic_stages"]  # the journey's floor at the target rate, no officers
    assert floor["stage"] == "floor" and floor["target_rate"] == 150.0
    assert set(floor["users"]) == {"BareMember"} and floor["succeeded"] > 0
    assert floor["errors"] == 0, floor["error_kinds"]
    assert floor["load_generator_cpu_ms"] > 0
    assert 0 < floor["cores_busy"] <= 1.05  # CPU time over wall time × cores: a share of the machine
    assert {"bare form", "bare panel", "bare submit"} == set(floor["requests"])

    assert len(result["round_ratios"]) == 2  # each round's ratio, besides the one of the sums
    assert all(r["submission / bare POST"] > 1 for r in result["round_ratios"])
    ratios = result["ratios"]
    assert ratios["submission / bare POST"] > 1
    assert ratios["member / bare POST"] > 1
    assert ratios["submission / bare form+POST"] > 1
    assert ratios["member / bare journey"] > 1

    member = stages["member"]["requests"]
    assert member["submit"]["requests"] == stages["member"]["succeeded"]
    # 2–4 moments to ask; the form sends those from MIN_WORDS words (static/js/sangkien.js): a title
    # alone (7–12 syllables) mostly is not, the description's moments always are — 1 to 4 a journey
    assert member["form"]["requests"] <= member["panel"]["requests"] <= 4 * member["form"]["requests"]
    bare = stages["bare journey"]["requests"]  # the same moments to ask, at the floor
    assert bare["bare form"]["requests"] <= bare["bare panel"]["requests"] <= 4 * bare["bare form"]["requests"]
    assert bare["bare submit"]["requests"] == stages["bare journey"]["succeeded"]

    check = result["count_check"]
    assert check["passed"] is True
    assert check["ok_submission"] == check["db_submission"] > 0
    assert check["ok_bare"] == check["db_bare"] > 0
    # members take turns (up to ~650 submissions on a fast machine — the warm-up and two rounds of the
    # submission and member stages — over 200 members, room for 2,000 at 10 a day): none reaches the
    # per-person daily limit, so the figures are of ordinary submissions, not of ones held by the
    # plausibility rule (60 members held 39 of a fresh clone's run, CI 01/12 17:44 UTC)
    assert check["held"] == 0
    # each member's form page is their own browser's: no message of the member before (until round 12
    # of issue 12 every form page showed one, so none was served whole from the cache)
    assert check["form_with_a_message"] == 0


def test_the_benchmark_asks_the_panel_from_the_products_number_of_words():
    """The load model sends what the form sends: from ``similar.MIN_WORDS`` words (importing the
    benchmark would monkey-patch this process with gevent, so its constant is read as text)."""
    text = (ROOT / "benchmarks" / "surge.py").read_text(encoding="utf-8")
    assert int(re.search(r"^MIN_WORDS = (\d+)", text, re.M).group(1)) == MIN_WORDS

"""The benchmark script runs at a small N and prints every figure; it only
rewrites its own section of docs/benchmarks.md."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_at_small_n_and_prints_the_figures(tmp_path):
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Import (issue 5)\n\nTheir figures.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "duplicates.py"), "--n", "2000", "--per-kind", "20",
         "--db", str(tmp_path / "bench.sqlite3"), "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout
    for figure in ("index build rate", "bytes per initiative", "query latency p50", "query latency p99",
                   "recall@5 — exact", "recall@5 — no_diacritics", "recall@5 — word_artefacts",
                   "recall@5 — reordered", "recall@5 — words_changed", "recall@5 — numbers",
                   "recall@5 — paraphrase", "false-flag rate"):
        assert figure in printed, figure
    written = out.read_text(encoding="utf-8")
    assert "## Import (issue 5)\n\nTheir figures." in written
    assert written.count("## Duplicate detection (issue 3)") == 1
    assert not (tmp_path / "bench.sqlite3").exists()  # the throw-away database is gone


def test_only_our_section_is_replaced(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks.duplicates import SECTION, write_section

    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\n## A\n\na\n\n{SECTION}\n\nold\n\n## B\n\nb\n", encoding="utf-8")
    write_section(path, f"{SECTION}\n\nnew\n")
    assert path.read_text(encoding="utf-8") == f"# Benchmarks\n\n## A\n\na\n\n{SECTION}\n\nnew\n\n## B\n\nb\n"

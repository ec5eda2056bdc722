"""The benchmark script runs at a small N: every figure it prints is a measured
number within a plausible bound, the verdicts against the targets follow the
numbers, and the section it writes to docs/benchmarks.md is the one printed
(only its own section is rewritten).  The section published in
docs/benchmarks.md passes the same checks."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
N, PER_KIND = 2000, 20
KINDS = ("exact", "no_diacritics", "word_artefacts", "reordered", "words_changed", "numbers", "paraphrase",
         "paraphrase (held-out)")


def number(text):
    """``"2,000"`` → 2000.0; fails the test on anything that is not a number."""
    assert re.fullmatch(r"-?[\d,]+(\.\d+)?", text), f"not a measured number: {text!r}"
    return float(text.replace(",", ""))


def table(section):
    """The figures table of the section: {label: (measured, verdict, flagged)}."""
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("figure", "---"):
            label, measured, _target, verdict, flagged = cells
            rows[label] = (number(measured), verdict, number(flagged) if flagged else None)
    return rows


def check_figures(text, targets, *, n):
    """The section ``text`` is about ``n`` initiatives, every figure of its table is a number
    within a plausible bound, and each "met"/"missed" follows its number and its target.
    Returns the table (:func:`table`)."""
    assert f"N = {n:,} synthetic" in text
    figures = table(text)

    def value(label):
        return figures[label][0]

    def verdict_is_right(label, met):
        assert figures[label][1] == ("met" if met else "**missed**"), (label, figures[label])

    assert len(figures) == 4 + len(KINDS) + 1, sorted(figures)
    rate = value("index build rate (initiatives/s, 2 worker(s))")
    assert 1 < rate < 1_000_000
    verdict_is_right("index build rate (initiatives/s, 2 worker(s))", rate >= targets["rate"])
    size = value("index size (bytes per initiative, table + index)")
    assert 10 < size < 100_000
    verdict_is_right("index size (bytes per initiative, table + index)", size <= targets["bytes"])
    p50, p99 = value("query latency p50 (ms)"), value("query latency p99 (ms)")
    assert 0 < p50 <= p99 < 60_000
    verdict_is_right("query latency p99 (ms)", p99 <= targets["p99_ms"])
    for kind in KINDS:
        recall, _verdict, flagged = figures[f"recall@5 — {kind}"]
        assert 0 <= flagged <= recall <= 1, (kind, recall, flagged)
        verdict_is_right(f"recall@5 — {kind}",
                         recall >= (targets["paraphrase"] if kind.startswith("paraphrase") else targets["recall"]))
    false_flag = value("false-flag rate (same topic, other solution)")
    assert 0 <= false_flag <= 1
    verdict_is_right("false-flag rate (same topic, other solution)", false_flag <= targets["false_flag"])
    return figures


def section(text, heading):
    """``heading``'s section of a Markdown text, up to the next ``## `` heading."""
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


@pytest.mark.own_database  # a SQLite file of its own
def test_benchmark_runs_at_small_n_and_prints_plausible_measured_figures(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks.duplicates import SECTION, TARGETS

    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Import (issue 5)\n\nTheir figures.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "duplicates.py"), "--n", str(N), "--per-kind", str(PER_KIND),
         "--db", str(tmp_path / "bench.sqlite3"), "--out", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout[done.stdout.index(SECTION):].rstrip("\n")
    figures = check_figures(printed, TARGETS, n=N)
    # Recall and false flags do not depend on the machine: the corpus is seeded, the detector exact.
    for kind in KINDS:
        assert figures[f"recall@5 — {kind}"][1] == "met", kind
    assert figures["false-flag rate (same topic, other solution)"][1] == "met"
    assert f"{PER_KIND * (len(KINDS) + 1):,} queries ({PER_KIND} per kind and {PER_KIND} same-topic" in printed

    written = out.read_text(encoding="utf-8")
    assert written == f"# Benchmarks\n\n## Import (issue 5)\n\nTheir figures.\n\n{printed}\n"
    assert not (tmp_path / "bench.sqlite3").exists()  # the throw-away database is gone


def test_the_published_figures_are_plausible_and_their_verdicts_follow_them():
    """docs/benchmarks.md's section, measured at two million initiatives, holds numbers, not labels."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.duplicates import SECTION, TARGETS

    published = section((ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8"), SECTION)
    check_figures(published, TARGETS, n=2_000_000)


def test_only_our_section_is_replaced(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks.duplicates import SECTION, write_section

    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\n## A\n\na\n\n{SECTION}\n\nold\n\n## B\n\nb\n", encoding="utf-8")
    write_section(path, f"{SECTION}\n\nnew\n")
    assert path.read_text(encoding="utf-8") == f"# Benchmarks\n\n## A\n\na\n\n{SECTION}\n\nnew\n\n## B\n\nb\n"

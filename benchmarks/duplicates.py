"""Benchmark of near-duplicate detection (issue 3) on synthetic initiatives.

    python benchmarks/duplicates.py --n 2000000 --per-kind 300 --db /tmp/dup-bench.sqlite3

Builds a throw-away database (SQLite file ``--db``, deleted afterwards
unless ``--keep-db``; or ``--database-url postgres://…``), migrates it,
inserts N synthetic Vietnamese initiatives (``benchmarks/synthetic.py``:
150–400 words, ~5 initiatives per topic), builds the index with the same
function as ``manage.py rebuild_duplicate_index``, then queries it with
planted duplicates of every kind and with same-topic non-duplicates through
the same detector as the submit form and the review queue.

Prints, and writes to ``docs/benchmarks.md`` (section "Duplicate detection
(issue 3)" only; ``--no-write`` to skip): build rate, index bytes per
initiative, query latency p50/p99, recall@5 per kind and the false-flag
rate.  Nothing is estimated: every figure is measured in this run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))
from benchmarks.docs_section import replace_section  # noqa: E402

SECTION = "## Duplicate detection (issue 3)"
TARGETS = {"p99_ms": 25.0, "bytes": 1024.0, "rate": 2000.0, "recall": 0.95, "paraphrase": 0.90,
           "false_flag": 0.05}

#: Row labels of kinds whose name is not their label.
LABELS = {"paraphrase_heldout": "paraphrase (held-out)"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="initiatives in the index")
    parser.add_argument("--per-kind", type=int, default=100, help="queries per kind of duplicate")
    parser.add_argument("--db", default="", help="SQLite file (default: a temporary file under /tmp)")
    parser.add_argument("--database-url", default="", help="use this database instead (e.g. postgres://…)")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes analysing text in the build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5000, help="initiatives per transaction in the build")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--note", default="", help="conditions to record (e.g. another benchmark running)")
    parser.add_argument("--reuse-db", action="store_true",
                        help="re-measure on the --db kept by an earlier --keep-db run: queries of every "
                             "duplicate kind (originals read back from the database; no same-topic "
                             "negatives: their topics are not stored), and with --rebuild the build")
    parser.add_argument("--rebuild", action="store_true", help="with --reuse-db: rebuild the index too")
    return parser.parse_args(argv)


def setup_django(args: argparse.Namespace) -> Path | None:
    db_file = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    elif args.reuse_db:
        db_file = Path(args.db)
        if not db_file.exists():
            raise SystemExit(f"--reuse-db: {db_file} does not exist")
        os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    else:
        db_file = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="dup-bench-")) / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
    os.environ["SANGKIEN_DEBUG"] = "0"  # DEBUG keeps every SQL statement (GBs of inserts)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return db_file


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def index_bytes() -> int:
    """Bytes on disk of the band table and its index (SQLite dbstat / PostgreSQL)."""
    from django.db import connection

    from sangkien.duplicates.models import BandKey, Fingerprint

    table = BandKey._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                           "(SELECT name FROM sqlite_master WHERE tbl_name IN (%s, %s))", [table, Fingerprint._meta.db_table])
        else:
            cursor.execute("SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s)", [table, Fingerprint._meta.db_table])
        return int(cursor.fetchone()[0] or 0)


def run(args: argparse.Namespace) -> dict:
    db_file = setup_django(args)
    try:
        return remeasure(args) if args.reuse_db else measure(args)
    finally:
        from django.db import connection

        connection.close()
        if db_file is not None and not (args.keep_db or args.reuse_db):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
            if not args.db:
                db_file.parent.rmdir()


def measure(args: argparse.Namespace) -> dict:
    """Generate, insert, build, query; return the figures."""
    from django.db import connection, transaction

    from benchmarks.synthetic import HELD_OUT_KINDS, KINDS, Generator
    from sangkien.core.clock import local_datetime
    from sangkien.core.sanitise import clean_description
    from sangkien.duplicates import detector
    from sangkien.duplicates.detector import Document, rank
    from sangkien.duplicates.index import DatabaseStore, rebuild
    from sangkien.duplicates.services import index_initiative
    from sangkien.initiatives.models import Initiative, SectorBlock
    from sangkien.programmes.models import Phase, Programme
    from sangkien.units.models import Unit, UnitKind

    started = time.perf_counter()
    KINDS = KINDS + HELD_OUT_KINDS  # noqa: N806  (the held-out paraphrase is one more kind, reported apart)
    gen = Generator(seed=args.seed)
    rand = random.Random(args.seed + 1)
    root = Unit.objects.add_root({"code": "TLD", "name": "Tổng Liên đoàn Lao động Việt Nam", "kind": UnitKind.NATIONAL})
    programme = Programme.objects.create(slug="bench", name="Benchmark", organiser=root)
    phase = Phase.objects.create(programme=programme, number=1, submission_start=local_datetime(2021, 1, 1),
                                 submission_end=local_datetime(2023, 9, 1))
    topics = max(1, args.n // 5)
    wanted = min(args.n, args.per_kind * (len(KINDS) + 1))
    chosen = set(rand.sample(range(args.n), wanted))
    kept: dict[int, tuple[object, int]] = {}
    at = local_datetime(2021, 6, 1)
    chunk = 5000
    print(f"generating and inserting {args.n:,} initiatives…", flush=True)
    for start in range(0, args.n, chunk):
        docs = [gen.document(f"d{i}", rand.randrange(topics)) for i in range(start, min(args.n, start + chunk))]
        # tracking codes numbered, not drawn: 8 random characters of 32 collide
        # within ~1 million codes (birthday bound), which would stop the run
        objs = [Initiative(programme=programme, phase=phase, unit=root, unit_unlisted=True,
                           sector_block=SectorBlock.ENTERPRISE, title=d.title[:300],
                           description=d.description_html(), submitted_at=at,
                           tracking_code=f"B{start + n:09d}") for n, d in enumerate(docs)]
        with transaction.atomic():
            Initiative.objects.bulk_create(objs, batch_size=1000)
        for offset, (doc, obj) in enumerate(zip(docs, objs, strict=True)):
            if start + offset in chosen:
                kept[start + offset] = (doc, obj.pk)
        if (start // chunk) % 40 == 0:
            print(f"  {start + len(docs):,} ({time.perf_counter() - started:.0f} s)", flush=True)
    inserted = time.perf_counter() - started
    print(f"inserted in {inserted:.0f} s; building the index…", flush=True)

    def progress(done: int) -> None:
        if done % 200_000 < args.batch:
            print(f"  indexed {done:,}", flush=True)

    built = rebuild(programme_id=programme.pk, workers=args.workers, batch=args.batch, progress=progress)
    size = index_bytes()
    print(f"built: {built.rate:,.0f} initiatives/s, {size / args.n:,.0f} bytes/initiative", flush=True)

    store = DatabaseStore(programme.pk)
    latencies: list[float] = []
    recall: dict[str, list[bool]] = {k: [] for k in KINDS}
    flagged: dict[str, list[bool]] = {k: [] for k in KINDS}
    originals = list(kept.values())
    rand.shuffle(originals)
    per = max(1, len(originals) // (len(KINDS) + 1))
    for number, kind in enumerate(KINDS):
        for doc, pk in originals[number * per:(number + 1) * per]:
            title, raw = gen.variant(doc, kind, "q")
            description = clean_description(raw)
            t0 = time.perf_counter()
            matches = rank(store, Document.of(title, description), top=5)
            latencies.append((time.perf_counter() - t0) * 1000)
            hit = next((m for m in matches if m.id == pk), None)
            recall[kind].append(hit is not None)
            flagged[kind].append(hit is not None and hit.likely_duplicate)
    false_flags: list[bool] = []
    negative_best: list[float] = []
    for doc, _pk in originals[len(KINDS) * per:(len(KINDS) + 1) * per]:
        other = gen.same_topic(doc, "neg")
        t0 = time.perf_counter()
        matches = rank(store, Document.of(other.title, clean_description(other.description_html())), top=5)
        latencies.append((time.perf_counter() - t0) * 1000)
        false_flags.append(any(m.likely_duplicate for m in matches))
        negative_best.append(max((m.score for m in matches), default=0.0))

    # the per-submission cost: analysing and indexing one new initiative in its transaction
    submit_ms: list[float] = []
    for i in range(200):
        doc = gen.document(f"new{i}", rand.randrange(topics))
        obj = Initiative(programme=programme, phase=phase, unit=root, unit_unlisted=True,
                         sector_block=SectorBlock.ENTERPRISE, title=doc.title[:300],
                         description=doc.description_html(), submitted_at=at)
        t0 = time.perf_counter()
        with transaction.atomic():
            obj.save()
            index_initiative(obj)
        submit_ms.append((time.perf_counter() - t0) * 1000)

    result = {
        "n": args.n, "queries": len(latencies), "rate": built.rate, "build_s": built.seconds,
        "keys": built.keys, "bytes": size / args.n, "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99), "max": max(latencies),
        "recall": {k: sum(v) / len(v) for k, v in recall.items() if v},
        "flagged": {k: sum(v) / len(v) for k, v in flagged.items() if v},
        "false_flag": sum(false_flags) / len(false_flags) if false_flags else float("nan"),
        "negatives": len(false_flags), "negative_best_p95": percentile(negative_best, 95),
        "per_kind": per, "submit_p50": percentile(submit_ms, 50), "submit_p99": percentile(submit_ms, 99),
        "vendor": connection.vendor, "insert_s": inserted, "total_s": time.perf_counter() - started,
        "threshold": detector.LIKELY_DUPLICATE, "load": os.getloadavg(),
    }
    return result


def remeasure(args: argparse.Namespace) -> dict:
    """Queries (and with ``--rebuild`` the build) on a kept benchmark database."""
    import html as html_lib

    from benchmarks.synthetic import HELD_OUT_KINDS, KINDS, Doc, Generator
    from sangkien.core.sanitise import clean_description
    from sangkien.duplicates.detector import Document, rank
    from sangkien.duplicates.index import DatabaseStore, rebuild
    from sangkien.initiatives.models import Initiative
    from sangkien.programmes.models import Programme

    KINDS = KINDS + HELD_OUT_KINDS  # noqa: N806
    programme = Programme.objects.get(slug="bench")
    n = Initiative.objects.filter(programme=programme).count()
    result: dict = {"n": n, "vendor": "sqlite"}
    if args.rebuild:
        built = rebuild(programme_id=programme.pk, workers=args.workers, batch=args.batch)
        result.update(rate=built.rate, build_s=built.seconds, bytes=index_bytes() / n)
    gen = Generator(seed=args.seed)
    rand = random.Random(args.seed + 2)
    top_pk = Initiative.objects.filter(programme=programme).order_by("-pk").values_list("pk", flat=True)[0]
    store = DatabaseStore(programme.pk)
    latencies: list[float] = []
    recall: dict[str, list[bool]] = {k: [] for k in KINDS}
    while len(recall[KINDS[-1]]) < args.per_kind:
        pk = rand.randrange(1, top_pk + 1)
        row = Initiative.objects.filter(pk=pk, programme=programme).values_list("title", "description").first()
        if row is None:
            continue
        paragraphs = [re.split(r"(?<=\.) ", html_lib.unescape(p)) for p in re.findall(r"<p>(.*?)</p>", row[1])]
        doc = Doc("x", 0, row[0], paragraphs)
        for kind in KINDS:
            title, raw = gen.variant(doc, kind, "q")
            description = clean_description(raw)
            t0 = time.perf_counter()
            matches = rank(store, Document.of(title, description), top=5)
            latencies.append((time.perf_counter() - t0) * 1000)
            recall[kind].append(any(m.id == pk for m in matches))
    result.update(queries=len(latencies), p50=percentile(latencies, 50), p99=percentile(latencies, 99),
                  max=max(latencies), recall={k: sum(v) / len(v) for k, v in recall.items()},
                  load=os.getloadavg())
    print(result)
    return result


def report(result: dict, args: argparse.Namespace, argv: list[str]) -> str:
    def ok(good: bool) -> str:
        return "met" if good else "**missed**"

    recall_rows = []
    for kind, value in result["recall"].items():
        target = TARGETS["paraphrase"] if kind.startswith("paraphrase") else TARGETS["recall"]
        recall_rows.append(f"| recall@5 — {LABELS.get(kind, kind)} | {value:.3f} | ≥ {target:.2f} | {ok(value >= target)} |"
                           f" {result['flagged'][kind]:.3f} |")
    command = "python benchmarks/duplicates.py " + " ".join(shlex.quote(a) for a in argv)
    lines = [
        SECTION,
        "",
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} with",
        "",
        f"    {command}",
        "",
        f"N = {result['n']:,} synthetic initiatives in one programme ({result['vendor']}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}); "
        f"{result['queries']:,} queries ({result['per_kind']} per kind and {result['negatives']} same-topic "
        f"non-duplicates); `likely_duplicate` from score {result['threshold']:.2f}. "
        f"Load average at the end: {result['load'][0]:.2f} / {result['load'][1]:.2f} / {result['load'][2]:.2f}."
        + (f" Conditions: {args.note}" if args.note else ""),
        "",
        "| figure | measured | target | | flagged likely duplicate |",
        "|---|---|---|---|---|",
        f"| index build rate (initiatives/s, {args.workers} worker(s)) | {result['rate']:,.0f} | ≥ 2,000 |"
        f" {ok(result['rate'] >= TARGETS['rate'])} | |",
        f"| index size (bytes per initiative, table + index) | {result['bytes']:,.0f} | ≤ 1,024 |"
        f" {ok(result['bytes'] <= TARGETS['bytes'])} | |",
        f"| query latency p50 (ms) | {result['p50']:.1f} | | | |",
        f"| query latency p99 (ms) | {result['p99']:.1f} | ≤ 25 | {ok(result['p99'] <= TARGETS['p99_ms'])} | |",
        *recall_rows,
        f"| false-flag rate (same topic, other solution) | {result['false_flag']:.3f} | ≤ 0.05 |"
        f" {ok(result['false_flag'] <= TARGETS['false_flag'])} | |",
        "",
        f"Build: {result['keys']:,} band keys in {result['build_s']:.0f} s. Slowest query "
        f"{result['max']:.1f} ms. Indexing one new initiative in its transaction (what a submission adds): "
        f"p50 {result['submit_p50']:.1f} ms, p99 {result['submit_p99']:.1f} ms. Best score of a same-topic "
        f"non-duplicate: p95 {result['negative_best_p95']:.3f}. Generating and inserting the corpus took "
        f"{result['insert_s']:.0f} s (not part of the figures); the whole run {result['total_s']:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace (or append) only our section of ``path``; the other sections are kept."""
    replace_section(path, SECTION, text)


def main(argv: list[str] | None = None) -> int:
    import signal

    # a SIGTERM (timeout, end of session) unwinds normally: the throw-away database is deleted
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    result = run(args)
    if args.reuse_db:
        return 0
    text = report(result, args, argv)
    print(text)
    if not args.no_write:
        write_section(Path(args.out), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

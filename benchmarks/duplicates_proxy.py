"""A fast proxy of the 2,000,000-initiative duplicate benchmark (issue 12): minutes, not an hour.

    python benchmarks/duplicates_proxy.py --n 50000 --limit 4
    python benchmarks/duplicates_proxy.py --n 200000 --limit 15 --kinds paraphrase,paraphrase_heldout

The same synthetic corpus and planted duplicates as ``benchmarks/duplicates.py``
(``Generator(seed=1)``, ~5 initiatives per topic), indexed in memory
(``detector.MemoryStore``: the detector's own code, no database), with band
keys held by more than ``--limit`` initiatives ignored, as keys of more than
``MAX_POSTING`` (150) are at 2,000,000: 150 × 50,000 / 2,000,000 ≈ 4.  The
corpus and the queries are normalised once and cached under ``--cache``.

Prints per kind recall@5, the share flagged ``likely_duplicate``, index rows
read per query (each probe key's postings, at most ``--limit`` + 1 as the
database reads them; p50 and p99), the misses whose original shares no
informative key with the query, and the load average.  ``--depth`` sets the
query's probe depth; ``--no-common-bigrams`` keeps every bigram in the LSH
set (the method before normalisation version 3), for a before/after in one
session.  Wall-clock latency is not measured here: see ``benchmarks/duplicates.py``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--limit", type=int, default=4, help="keys held by more initiatives are ignored")
    parser.add_argument("--kinds", default="", help="comma-separated (default: every kind)")
    parser.add_argument("--depth", type=int, default=0, help="probe depth (default: the code's)")
    parser.add_argument("--no-common-bigrams", action="store_true")
    parser.add_argument("--cache", default="/tmp/duplicates-proxy")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
    import django

    django.setup()
    import numpy as np

    from benchmarks.synthetic import HELD_OUT_KINDS, KINDS, Generator
    from sangkien.core.sanitise import clean_description
    from sangkien.duplicates import detector, signature
    from sangkien.duplicates.normalise import normalise

    every = list(KINDS) + list(HELD_OUT_KINDS)
    kinds = args.kinds.split(",") if args.kinds else every
    cache = Path(args.cache) / f"corpus-{args.n}-{args.per_kind}.pkl"
    if cache.exists():
        data = pickle.loads(cache.read_bytes())  # noqa: S301 — our own cache file
    else:
        started = time.perf_counter()
        gen, rand = Generator(seed=1), random.Random(2)
        topics = max(1, args.n // 5)
        docs = [gen.document(f"d{i}", rand.randrange(topics)) for i in range(args.n)]
        sentences = [normalise(d.title[:300], d.description_html()) for d in docs]
        chosen = rand.sample(range(args.n), args.per_kind * (len(every) + 1))
        queries = {}
        for k, kind in enumerate(every):
            planted = []
            for i in chosen[k * args.per_kind:(k + 1) * args.per_kind]:
                title, raw = gen.variant(docs[i], kind, "q")
                planted.append((i, normalise(title, clean_description(raw))))
            queries[kind] = planted
        negatives = []
        for i in chosen[len(every) * args.per_kind:]:
            other = gen.same_topic(docs[i], "neg")
            negatives.append((i, normalise(other.title, clean_description(other.description_html()))))
        queries["negative"] = negatives
        data = {"sentences": sentences, "queries": queries}
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(data))
        print(f"corpus generated and normalised in {time.perf_counter() - started:.0f} s", flush=True)
    if args.no_common_bigrams:
        signature.COMMON_BIGRAMS = np.zeros(0, dtype=np.uint64)
    if args.depth:
        signature.PROBE_DEPTH = args.depth
    detector.MAX_POSTING = args.limit

    def analyse(sentences: list[list[str]]) -> detector.Document:
        shingles, lsh_set = signature.features(sentences)
        return detector.Document(sentences, shingles, lsh_set)

    store = detector.MemoryStore()
    for i, sentences in enumerate(data["sentences"]):
        store.add(i, analyse(sentences))
    postings = store._postings  # noqa: SLF001 — counting rows read
    rows = sum(len(v) for v in postings.values())
    print(f"n={args.n:,} limit={args.limit} depth={signature.PROBE_DEPTH} common bigrams left out="
          f"{len(signature.COMMON_BIGRAMS)} keys per initiative={rows / args.n:.2f}", flush=True)
    for kind in [*kinds, "negative"]:
        found = flagged = no_key = 0
        read = []
        planted = data["queries"][kind]
        for i, sentences in planted:
            query = analyse(sentences)
            matches = detector.rank(store, query, top=5)
            keys = signature.probe_keys(query.lsh_set, store.programme_id)
            read.append(sum(min(len(postings.get(k, ())), args.limit + 1) for k in keys))
            if kind == "negative":
                flagged += any(m.likely_duplicate for m in matches)
                continue
            hit = next((m for m in matches if m.id == i), None)
            found += hit is not None
            flagged += bool(hit and hit.likely_duplicate)
            no_key += hit is None and i not in detector.candidates(store, query)
        n = len(planted)
        label = "false flags (same topic)" if kind == "negative" else f"{kind} recall@5 {found / n:.3f}"
        print(f"  {label}: flagged {flagged / n:.3f}, rows read p50 {np.percentile(read, 50):.0f} "
              f"p99 {np.percentile(read, 99):.0f}" + ("" if kind == "negative" else f", misses with no key {no_key}"),
              flush=True)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

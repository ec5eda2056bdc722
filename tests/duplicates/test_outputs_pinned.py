"""The text analysis's outputs, pinned (issue 12, round 4).

The import's save pass analyses every text for the near-duplicate index
(normalised text, band keys, sketch, exact-text digest).  That analysis was
made faster for a batch of texts without changing a single output: the
stored index of every programme must stay valid without a rebuild.  So the
outputs of a fixed set of texts are hashed here, and the hash was computed
by the code before the speed-ups.

If ``normalise.VERSION`` is bumped on purpose (the keys or the normalisation
changed, and ``manage.py rebuild_duplicate_index`` must run), pin the new
hash under the new version in :data:`PINNED`; a changed hash under the same
version is a change of output that would leave the stored index stale.
"""

from __future__ import annotations

import hashlib
import json

from benchmarks.synthetic import Generator
from sangkien.core.sanitise import clean_description
from sangkien.duplicates import normalise
from sangkien.duplicates.detector import Document
from sangkien.duplicates.exact import digest_of
from sangkien.duplicates.index import _keys_of, analyse, analyse_batch
from tests.duplicates.texts import DYEING_TITLE, KINDS, OTHERS, WORD_HTML, dyeing_text

#: ``normalise.VERSION`` → SHA-256 of :func:`outputs` of :func:`texts` (computed before the speed-ups).
PINNED = {
    2: "7e7833abeb13c88337e5c1e9108900eb62a1a31c62ad613aa549657bd3d52970",
    # version 3 (the common bigrams left out of the LSH set), computed on that branch (c73abc2) by
    # the one-text path before it met the batch analysis
    3: "960f4ca1273c7348e97050f2ac77a6f2cedb39a25fd218c6e6c2342caef0c8ee",
}
#: SHA-256 of :func:`texts` themselves: the inputs come from benchmarks/synthetic.py's generator.
TEXTS_PINNED = "87fb6defcd7b83d1da1d41f7c8c0e867197f14f7e55e45a60f3c53df28e66ed2"
PROGRAMME = 7
KIND_NAMES = ("exact", "no_diacritics", "word_artefacts", "reordered", "words_changed", "numbers", "paraphrase",
              "paraphrase_heldout")


def texts() -> list[tuple[str, str]]:
    """300 synthetic initiatives (plain text and HTML) and variants of every kind, the import
    benchmark's rows, the duplicate tests' texts and edge cases: ``(title, description)``."""
    generator = Generator(seed=20261130, lexicon_size=6000)
    out: list[tuple[str, str]] = []
    originals = [generator.document(f"d{i}", topic=i % 40, words=60 + 7 * (i % 30)) for i in range(200)]
    for i, doc in enumerate(originals):
        out.append((doc.title, doc.description_html() if i % 2 else doc.description_text()))
    for i, doc in enumerate(originals[:100]):
        out.append(generator.variant_with(1000 + i, doc, KIND_NAMES[i % len(KIND_NAMES)]))
    for i in range(20):  # as benchmarks/import_export.py writes them, cleaned as the import cleans them
        out.append((f"Cải tiến gá kẹp số {i}", clean_description(
            f"Giải pháp cải tiến số {i}.\n\nÁp dụng tại CĐCS Công ty May 01-{i:02d} (3701-{i:04d}); giảm thời "
            "gian thao tác, tiết kiệm vật tư và nâng cao an toàn cho người lao động trong ca làm việc.")))
    out += [(DYEING_TITLE, dyeing_text()), (DYEING_TITLE, clean_description(WORD_HTML)), *KINDS.values(), *OTHERS]
    out += [("", ""), ("Và của các", "là một những"), ("Tiết kiệm", "hai triệu đồng; 1,5 tr; 2.5%; 3 kg"),
            ("Tên", "<p>Một dòng</p><ul><li>hai</li></ul>"), ("x", "x"), ("Đ", "đ đ đ")]
    return out


def outputs(items: list[tuple[str, str]], analysed: list | None = None) -> list[list]:
    """What the index stores of each text: normalised text, band keys, sketch, exact-text digest."""
    rows = []
    for i, (title, description) in enumerate(items):
        document = Document.of(title, description)
        analysis = analysed[i] if analysed is not None else analyse(PROGRAMME, title, description)
        rows.append([document.normalised, analysis.keys, analysis.sketch.hex(), digest_of(analysis.text_hash),
                     analysis.text_hash])
    return rows


def sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def test_the_texts_are_the_ones_pinned():
    assert sha(texts()) == TEXTS_PINNED, "benchmarks/synthetic.py changed its texts: re-pin both hashes"


def test_outputs_are_the_pinned_ones():
    assert normalise.VERSION in PINNED, "VERSION bumped: pin the new outputs' hash under it"
    assert sha(outputs(texts())) == PINNED[normalise.VERSION]


def test_a_batch_gives_what_each_text_alone_gives():
    items = texts()
    assert outputs(items, analyse_batch(PROGRAMME, items)) == outputs(items)
    assert analyse_batch(PROGRAMME, []) == []


def test_a_rebuild_batch_stores_what_each_text_alone_gives():
    """What a rebuild and ``index_batch`` write (``_keys_of``, analysed in batches since round 5):
    rows of two programmes interleaved, keys in key order, sketches and digests in row order."""
    items = texts()
    rows = [(1_000_000 + i, PROGRAMME + i % 2, title, description) for i, (title, description) in enumerate(items)]
    keys, sketches = _keys_of(rows)
    alone = [(pk, analyse(programme, title, description)) for pk, programme, title, description in rows]
    assert keys == sorted((key, pk) for pk, analysis in alone for key in analysis.keys)
    assert sketches == [(pk, analysis.sketch, digest_of(analysis.text_hash)) for pk, analysis in alone]

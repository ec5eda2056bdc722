"""Issue 12: the index's postings statement (one LATERAL sub-select on PostgreSQL, a UNION ALL of
LIMIT-ed sub-selects on SQLite) reads, for each probe key, at most ``limit + 1`` initiatives and
none for a key listed as frequent — the same answer on both databases."""

from __future__ import annotations

import pytest

from sangkien.duplicates.index import DatabaseStore
from sangkien.duplicates.models import BandKey, FrequentKey

pytestmark = pytest.mark.django_db

#: Band keys of either sign (a signature gives 32-bit signed keys).
RARE, COMMON, FREQUENT, ABSENT, NEGATIVE = 700_000_001, 700_000_002, 700_000_003, 700_000_004, -(2**31) + 5


def test_postings_are_capped_per_key_and_skip_frequent_keys(phase):
    BandKey.objects.bulk_create(
        [BandKey(band_key=RARE, initiative_id=2_000_001), BandKey(band_key=RARE, initiative_id=2_000_002),
         BandKey(band_key=NEGATIVE, initiative_id=2_000_003)]
        + [BandKey(band_key=COMMON, initiative_id=3_000_000 + n) for n in range(12)]
        + [BandKey(band_key=FREQUENT, initiative_id=4_000_000 + n) for n in range(3)])
    FrequentKey.objects.create(band_key=FREQUENT, postings=3)

    found = DatabaseStore(phase.programme_id).postings([RARE, COMMON, FREQUENT, ABSENT, NEGATIVE], limit=4)

    assert sorted(found) == [NEGATIVE, RARE, COMMON]
    assert sorted(found[RARE]) == [2_000_001, 2_000_002]
    assert found[NEGATIVE] == [2_000_003]
    assert len(found[COMMON]) == 5 and set(found[COMMON]) <= {3_000_000 + n for n in range(12)}


def test_no_keys_no_statement(phase, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert DatabaseStore(phase.programme_id).postings([], limit=4) == {}


def test_a_key_read_past_the_limit_is_not_read_again_by_this_process(phase, monkeypatch):
    """Issue 12: a key that grew past ``MAX_POSTING`` since the nightly count is read once,
    then answered with nothing (as if listed as frequent) — until the process forgets it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sangkien.duplicates.detector import MAX_POSTING
    from sangkien.duplicates.index import LEARNED, LearnedFrequentKeys

    BandKey.objects.bulk_create(
        [BandKey(band_key=RARE, initiative_id=2_000_001)]
        + [BandKey(band_key=COMMON, initiative_id=3_000_000 + n) for n in range(MAX_POSTING + 1)])
    store = DatabaseStore(phase.programme_id)

    first = store.postings([RARE, COMMON], limit=MAX_POSTING)
    assert len(first[COMMON]) == MAX_POSTING + 1 and first[RARE] == [2_000_001]
    with CaptureQueriesContext(connection) as statements:
        second = store.postings([RARE, COMMON], limit=MAX_POSTING)
    assert second == {RARE: [2_000_001]}
    assert str(COMMON) not in statements.captured_queries[-1]["sql"] + str(statements.captured_queries[-1])
    # another limit (a caller counting more) still reads it
    assert len(store.postings([COMMON], limit=MAX_POSTING + 10)[COMMON]) == MAX_POSTING + 1
    # forgotten after an hour: read again (a key whose initiatives were deleted is not lost for good)
    monkeypatch.setattr(LearnedFrequentKeys, "seconds", -1.0)
    assert len(store.postings([COMMON], limit=MAX_POSTING)[COMMON]) == MAX_POSTING + 1
    monkeypatch.undo()
    assert COMMON in LEARNED.current()

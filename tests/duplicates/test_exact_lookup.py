"""Issue 12: the exact-resubmission check is one equality look-up of the text's
digest (no LSH search), and the similar search skips the band keys that too many
initiatives hold without changing what it finds."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangkien.duplicates import services
from sangkien.duplicates.detector import MAX_POSTING, Document, rank
from sangkien.duplicates.exact import text_digest
from sangkien.duplicates.index import DatabaseStore, check, index_batch, refresh_frequent_keys
from sangkien.duplicates.models import BandKey, Fingerprint, FrequentKey
from sangkien.duplicates.services import ExactResubmission
from sangkien.duplicates.signature import probe_keys
from tests.duplicates.texts import DYEING_TITLE, KINDS, dyeing_text
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_lsh_search(monkeypatch):
    """Any read of the near-duplicate index fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the exact check searched the LSH index")

    monkeypatch.setattr(DatabaseStore, "postings", refuse)
    monkeypatch.setattr(DatabaseStore, "sketches", refuse)
    monkeypatch.setattr(DatabaseStore, "documents", refuse)


def refuse(original, actor, **kwargs):
    """Run the check for the dyeing text; return the SQL it ran."""
    document = Document.of(DYEING_TITLE, dyeing_text())
    with CaptureQueriesContext(connection) as ctx:
        services.refuse_exact_resubmission(programme_id=original.programme_id, document=document,
                                           actor=actor, **kwargs)
    return [q["sql"] for q in ctx.captured_queries]


def test_the_members_own_resubmission_is_refused_in_two_queries_without_lsh_search(original, others, no_lsh_search):
    with pytest.raises(ExactResubmission) as refused, CaptureQueriesContext(connection) as ctx:
        services.refuse_exact_resubmission(programme_id=original.programme_id,
                                           document=Document.of(DYEING_TITLE, dyeing_text()),
                                           actor=original.submitted_by)
    assert refused.value.existing == original
    assert original.tracking_code in str(refused.value)
    # round 7: "is there a copy?" (a hand-written SELECT 1), then the copies — a new text stops at the first
    assert len(ctx.captured_queries) == 2
    assert not any("bandkey" in query["sql"].lower() for query in ctx.captured_queries)


def test_someone_elses_copy_costs_the_look_up_and_one_author_query(original, others, no_lsh_search):
    queries = refuse(original, UserFactory())  # not refused: another member
    assert len(queries) == 3  # "is there a copy?", the copies, their main author
    assert not any("bandkey" in sql.lower() for sql in queries)


def test_a_new_text_costs_one_query(original, no_lsh_search):
    document = Document.of(*KINDS["paraphrase"])
    with CaptureQueriesContext(connection) as ctx:
        services.refuse_exact_resubmission(programme_id=original.programme_id, document=document,
                                           actor=original.submitted_by)
    assert len(ctx.captured_queries) == 1
    assert "initiatives_initiative" not in ctx.captured_queries[0]["sql"]  # no initiative read


def test_the_oldest_copy_of_the_same_author_is_named_and_excluded_ones_are_skipped(tree, phase, original):
    # saved before the claims existed (or by a bulk path): same author, same text, no claim
    later = InitiativeFactory(phase=phase, unit=tree["g22"], title=DYEING_TITLE, description=dyeing_text(),
                              author=original.authorships.get().person, submitted_by=original.submitted_by)
    index_batch([(later.pk, later.programme_id, later.title, later.description)])
    document = Document.of(DYEING_TITLE, dyeing_text())
    assert services.exact_copies(programme_id=original.programme_id, document=document) == [original, later]
    assert services.exact_copies(programme_id=original.programme_id, document=document,
                                 exclude=[original.pk]) == [later]
    with pytest.raises(ExactResubmission) as refused:
        services.refuse_exact_resubmission(programme_id=original.programme_id, document=document,
                                           actor=original.submitted_by, exclude=[original.pk])
    assert refused.value.existing == later


def test_every_indexing_path_writes_the_digest(tree, phase, original):
    bulk = InitiativeFactory(phase=phase, unit=tree["g11"], title=DYEING_TITLE, description=dyeing_text())
    index_batch([(bulk.pk, bulk.programme_id, bulk.title, bulk.description)])
    digest = text_digest(Document.of(DYEING_TITLE, dyeing_text()))
    assert dict(Fingerprint.objects.values_list("pk", "text_digest")) == {original.pk: digest, bulk.pk: digest}
    call_command("rebuild_duplicate_index", stdout=io.StringIO())
    assert dict(Fingerprint.objects.values_list("pk", "text_digest")) == {original.pk: digest, bulk.pk: digest}


def test_a_missing_digest_is_reported_stale(original):
    Fingerprint.objects.filter(pk=original.pk).update(text_digest=None)
    assert check().stale == 1


class CountingStore(DatabaseStore):
    """The database store, counting the index rows its ``postings`` statements return."""

    rows = 0

    def postings(self, keys, limit):
        found = super().postings(keys, limit)
        self.rows += sum(len(ids) for ids in found.values())
        return found


def test_a_frequent_key_is_skipped_and_the_planted_pair_keeps_its_rank(original, others):
    title, text = KINDS["paraphrase"]
    query = Document.of(title, text)
    shared = sorted(set(original_keys(original)) & set(probe_keys(query.lsh_set, original.programme_id)))
    assert shared, "the planted pair shares no probe key"
    # the commonest phrasing: MAX_POSTING + 100 other initiatives hold one of the pair's keys
    BandKey.objects.bulk_create([BandKey(band_key=shared[0], initiative_id=10**9 + n)
                                 for n in range(MAX_POSTING + 100)])
    before_store = CountingStore(original.programme_id)
    before = rank(before_store, query, top=5)

    assert refresh_frequent_keys() == 1
    assert list(FrequentKey.objects.values_list("band_key", "postings")) == [(shared[0], MAX_POSTING + 101)]
    after_store = CountingStore(original.programme_id)
    with CaptureQueriesContext(connection) as ctx:
        after = rank(after_store, query, top=5)
    assert len(ctx.captured_queries) == 4  # frequent keys, postings, sketches, texts of the best

    assert before[0].id == original.pk and after == before
    assert before_store.rows - after_store.rows == MAX_POSTING + 1  # the frequent key's rows are not read


def test_the_command_recounts_the_frequent_keys(original):
    key = original_keys(original)[0]
    BandKey.objects.bulk_create([BandKey(band_key=key, initiative_id=10**9 + n) for n in range(MAX_POSTING)])
    out = io.StringIO()
    call_command("rebuild_duplicate_index", "--frequent-keys", stdout=out)
    assert "1 frequent band keys" in out.getvalue()
    assert list(FrequentKey.objects.values_list("band_key", flat=True)) == [key]
    BandKey.objects.filter(band_key=key, initiative_id__gte=10**9).delete()
    call_command("rebuild_duplicate_index", "--frequent-keys", stdout=io.StringIO())
    assert not FrequentKey.objects.exists()


def original_keys(initiative):
    return list(BandKey.objects.filter(initiative_id=initiative.pk).values_list("band_key", flat=True))

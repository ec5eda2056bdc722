"""Every kind of duplicate is found; the same topic with another solution is not flagged."""

import pytest

from sangkien.core.sanitise import clean_description
from sangkien.duplicates.detector import LIKELY_DUPLICATE, Document, MemoryStore, rank
from sangkien.duplicates.similar import similar_initiatives
from tests.duplicates.conftest import indexed
from tests.duplicates.texts import KINDS, SAME_TOPIC, SAME_TOPIC_TITLE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_duplicate_is_the_first_match_and_flagged(kind, original, others):
    title, pasted = KINDS[kind]
    matches = similar_initiatives(programme_id=original.programme_id, title=title,
                                  description=clean_description(pasted))
    assert matches[0].initiative == original
    assert matches[0].likely_duplicate, (kind, matches[0].score)
    assert all(m.initiative not in others for m in matches)


def test_scores_order_the_kinds_sensibly(original):
    def score(kind):
        title, pasted = KINDS[kind]
        return similar_initiatives(programme_id=original.programme_id, title=title,
                                   description=clean_description(pasted))[0].score

    assert score("exact") == score("no_diacritics") == score("reordered") == score("numbers") == 1.0
    assert score("word_artefacts") == 1.0
    assert 1.0 > score("words_changed_10") > score("words_changed_20") > score("words_changed_30")
    assert score("words_changed_30") >= LIKELY_DUPLICATE
    assert LIKELY_DUPLICATE <= score("paraphrase") < 1.0


def test_same_topic_with_another_solution_is_not_a_likely_duplicate(original, others):
    matches = similar_initiatives(programme_id=original.programme_id, title=SAME_TOPIC_TITLE,
                                  description=SAME_TOPIC, min_score=0)
    assert all(not m.likely_duplicate for m in matches)
    assert all(m.score < LIKELY_DUPLICATE for m in matches)


def test_the_same_topic_indexed_is_not_flagged_either(tree, phase, original):
    same_topic = indexed(phase=phase, unit=tree["g21"], title=SAME_TOPIC_TITLE, description=SAME_TOPIC)
    title, pasted = KINDS["exact"]
    matches = similar_initiatives(programme_id=original.programme_id, title=title, description=pasted,
                                  min_score=0)
    flagged = [m.initiative for m in matches if m.likely_duplicate]
    assert flagged == [original] and same_topic not in flagged


def test_other_programmes_are_not_searched(tree, original):
    from tests.factories import PhaseFactory, ProgrammeFactory

    elsewhere = PhaseFactory(programme=ProgrammeFactory(organiser=tree["root"]))
    title, pasted = KINDS["exact"]
    assert similar_initiatives(programme_id=elsewhere.programme_id, title=title, description=pasted) == []


def test_the_memory_store_gives_the_same_answers_as_the_database(original, others):
    store = MemoryStore(programme_id=original.programme_id)
    for i in [original, *others]:
        store.add(i.pk, Document.of(i.title, i.description))
    for title, pasted in KINDS.values():
        query = Document.of(title, clean_description(pasted))
        in_memory = rank(store, query)
        in_db = similar_initiatives(programme_id=original.programme_id, title=title,
                                    description=clean_description(pasted), min_score=0)
        assert [(m.id, m.score) for m in in_memory] == [(m.initiative.pk, m.score) for m in in_db]

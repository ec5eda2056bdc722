"""The panel's candidates: their shingles kept per worker by text digest (issue 12, round 11)."""

from __future__ import annotations

import numpy as np
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.duplicates import similar
from sangkien.duplicates.detector import Document
from sangkien.duplicates.exact import text_digest
from sangkien.duplicates.models import Fingerprint
from tests.duplicates.texts import KINDS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def window_open():
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        yield


@pytest.fixture(autouse=True)
def nothing_kept():
    similar._shingles.clear()
    yield
    similar._shingles.clear()


@pytest.fixture
def analyses(monkeypatch):
    """The titles of the texts analysed while the test runs."""
    titles: list[str] = []
    original = Document.of

    def counted(title, description):
        titles.append(title)
        return original(title, description)

    monkeypatch.setattr(similar.Document, "of", staticmethod(counted))
    return titles


def panel(client, programme):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("duplicates:submit_panel", args=[programme.slug]),
                               dict(zip(("title", "description"), KINDS["paraphrase"], strict=True)),
                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    shortlist = next(q["sql"] for q in ctx.captured_queries if '"initiatives_initiative"."title"' in q["sql"])
    return response.content.decode(), shortlist.split(" FROM ")[0]


def test_a_candidate_is_analysed_once_and_its_text_then_not_read(client, original, others, analyses):
    client.force_login(UserFactory())
    first, shortlist = panel(client, original.programme)
    assert original.title in first and "giống" in first
    assert '"description"' in shortlist
    assert analyses.count(original.title) == 1
    digest = Fingerprint.objects.get(initiative=original).text_digest
    kept = similar._shingles[digest]
    assert np.array_equal(kept, Document.of(original.title, original.description).shingles)

    analyses.clear()
    second, shortlist = panel(client, original.programme)
    assert second == first  # same matches, same figures
    assert '"description"' not in shortlist
    assert analyses == [KINDS["paraphrase"][0]]  # the member's own text only: no candidate analysed again


def test_a_copy_of_a_kept_text_is_not_analysed_either(client, tree, phase, original, analyses):
    from tests.duplicates.conftest import indexed

    client.force_login(UserFactory())
    panel(client, original.programme)
    copy = indexed(phase=phase, unit=tree["g11"], title=original.title, description=original.description)
    analyses.clear()
    html, _ = panel(client, original.programme)
    assert analyses == [KINDS["paraphrase"][0]]
    assert copy.title in html


def test_an_index_digest_never_gets_the_shingles_of_another_text(client, original, analyses):
    """Shingles are kept under the digest of the text they come from: an initiative whose index
    is behind its text (edited, not yet re-indexed) is analysed each time, and kept under its
    new text's digest, never under the old one."""
    client.force_login(UserFactory())
    old_digest = Fingerprint.objects.get(initiative=original).text_digest
    original.description = original.description[: len(original.description) // 2]
    original.save(update_fields=["description"])  # no re-index
    panel(client, original.programme)
    panel(client, original.programme)
    assert analyses.count(original.title) == 2
    assert old_digest not in similar._shingles
    assert text_digest(Document.of(original.title, original.description)) in similar._shingles


def test_at_most_kept_shingles_are_kept_the_least_recently_used_dropped(monkeypatch):
    monkeypatch.setattr(similar, "KEPT_SHINGLES", 2)
    one, two, three = (np.array([n], dtype=np.uint64) for n in (1, 2, 3))
    similar._keep_shingles(1, one)
    similar._keep_shingles(2, two)
    assert similar._kept_shingles(1) is one  # 1 is now the most recently used
    similar._keep_shingles(3, three)
    assert list(similar._shingles) == [1, 3]
    assert similar._kept_shingles(2) is None
    similar._keep_shingles(None, one)  # an empty text has no digest: nothing kept
    assert similar._kept_shingles(None) is None and len(similar._shingles) == 2

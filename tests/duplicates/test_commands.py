"""``manage.py similar`` (both modes) and ``rebuild_duplicate_index``."""

import json

import pytest
from django.core.management import CommandError, call_command

from sangkien.duplicates.models import BandKey, Fingerprint
from tests.duplicates.conftest import indexed
from tests.duplicates.texts import KINDS, OTHERS, SAME_TOPIC, SAME_TOPIC_TITLE, dyeing_text

pytestmark = pytest.mark.django_db


def run(*args):
    import io

    out = io.StringIO()
    call_command("similar", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_similar_to_a_text_file(tmp_path, original, others):
    title, text = KINDS["numbers"]
    path = tmp_path / "query.txt"
    path.write_text(f"{title}\n{text}", encoding="utf-8")
    [result] = run("--programme", original.programme.slug, "--text-file", str(path), "--format", "json")
    best = result["matches"][0]
    assert best["id"] == original.pk and best["score"] == 1.0 and best["likely_duplicate"] is True
    assert best["tracking_code"] == original.tracking_code
    assert all(0 <= m["score"] <= 1 for m in result["matches"])


def test_similar_to_an_initiative_ranks_others_by_score(tree, phase, original, others):
    copy = indexed(phase=phase, unit=tree["g11"], title=KINDS["paraphrase"][0], description=KINDS["paraphrase"][1])
    [result] = run("--programme", original.programme.slug, "--initiative", str(copy.pk), "--top", "3",
                   "--format", "json")
    assert result["id"] == copy.pk and [m["id"] for m in result["matches"]][:1] == [original.pk]
    scores = [m["score"] for m in result["matches"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 3


def test_similar_on_a_corpus_without_the_database(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    queries = tmp_path / "queries.jsonl"
    rows = [{"id": "goc", "title": KINDS["exact"][0], "description": dyeing_text()},
            {"id": "cung-chu-de", "title": SAME_TOPIC_TITLE, "description": SAME_TOPIC}]
    rows += [{"id": f"khac-{n}", "title": t, "description": d} for n, (t, d) in enumerate(OTHERS)]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    asked = [{"id": kind, "title": t, "description": d} for kind, (t, d) in KINDS.items()]
    asked.append({"id": "khong-trung", "title": SAME_TOPIC_TITLE + " (bản 2)",
                  "description": SAME_TOPIC.replace("hai tháng", "ba tháng")})
    queries.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in asked), encoding="utf-8")
    results = {r["id"]: r["matches"] for r in run("--corpus", str(corpus), "--queries", str(queries),
                                                  "--format", "json")}
    for kind in KINDS:
        assert results[kind][0]["id"] == "goc" and results[kind][0]["likely_duplicate"], kind
        assert set(results[kind][0]) == {"id", "score", "likely_duplicate"}
    # a near copy of the same-topic initiative matches it, not the original
    assert results["khong-trung"][0]["id"] == "cung-chu-de"
    assert not any(m["likely_duplicate"] for m in results["khong-trung"] if m["id"] == "goc")


def test_similar_refuses_bad_input(tmp_path, original):
    with pytest.raises(CommandError):
        run("--programme", "khong-co", "--initiative", "1")
    with pytest.raises(CommandError):
        run("--corpus", str(tmp_path / "missing.jsonl"), "--queries", str(tmp_path / "q.jsonl"))
    with pytest.raises(CommandError):
        run("--programme", original.programme.slug)


def test_rebuild_recreates_the_same_index(original, others):
    before = sorted(BandKey.objects.values_list("band_key", "initiative_id"))
    sketches = dict(Fingerprint.objects.values_list("pk", "sketch"))
    BandKey.objects.all().delete()
    BandKey.objects.create(band_key=12345, initiative_id=999_999)  # a row of a deleted initiative
    import io

    out = io.StringIO()
    call_command("rebuild_duplicate_index", stdout=out)
    assert "Indexed 4 initiatives" in out.getvalue()
    assert sorted(BandKey.objects.values_list("band_key", "initiative_id")) == before
    assert {k: bytes(v) for k, v in Fingerprint.objects.values_list("pk", "sketch")} == {
        k: bytes(v) for k, v in sketches.items()}
    call_command("rebuild_duplicate_index", "--programme", original.programme.slug, stdout=io.StringIO())
    assert sorted(BandKey.objects.values_list("band_key", "initiative_id")) == before


def test_rebuild_with_two_workers(original, others):
    import io

    before = sorted(BandKey.objects.values_list("band_key", "initiative_id"))
    call_command("rebuild_duplicate_index", "--workers", "2", "--batch", "2", stdout=io.StringIO())
    assert sorted(BandKey.objects.values_list("band_key", "initiative_id")) == before


def test_index_batch_indexes_rows_written_in_bulk(tree, phase, original):
    from sangkien.duplicates.index import index_batch
    from sangkien.duplicates.similar import similar_initiatives
    from tests.factories import InitiativeFactory

    title, text = KINDS["paraphrase"]
    bulk = InitiativeFactory(phase=phase, unit=tree["g11"], title=title, description=text)
    assert index_batch([(bulk.pk, bulk.programme_id, bulk.title, bulk.description)]) == 20
    found = similar_initiatives(programme_id=phase.programme_id, title=title, description=text)
    assert found[0].initiative == bulk and found[0].score == 1.0


def test_a_deleted_initiative_is_never_returned_and_rebuild_drops_its_rows(original, others):
    from sangkien.duplicates.similar import similar_initiatives

    original_pk = original.pk
    original.authorships.all().delete()
    original.history.all().delete()
    original.delete()
    title, text = KINDS["exact"]
    assert similar_initiatives(programme_id=others[0].programme_id, title=title, description=text) == []
    assert BandKey.objects.filter(initiative_id=original_pk).exists()  # left behind, ignored
    import io

    call_command("rebuild_duplicate_index", stdout=io.StringIO())
    assert not BandKey.objects.filter(initiative_id=original_pk).exists()


def check_index(*args):
    import io

    out = io.StringIO()
    call_command("rebuild_duplicate_index", "--check", *args, stdout=out)
    return out.getvalue()


def test_check_passes_on_an_index_in_step_and_writes_nothing(original, others):
    before = sorted(BandKey.objects.values_list("band_key", "initiative_id"))
    assert "4 initiatives: 0 missing from the duplicate index, 0 stale." in check_index()
    assert "0 missing" in check_index("--programme", original.programme.slug)
    assert sorted(BandKey.objects.values_list("band_key", "initiative_id")) == before


def test_check_counts_missing_and_stale_and_exits_1(tree, phase, original, others):
    from tests.factories import InitiativeFactory

    InitiativeFactory(phase=phase, unit=tree["g11"], title="Chưa có trong chỉ mục",
                      description="Sáng kiến ghi thẳng vào cơ sở dữ liệu, không qua dịch vụ.")
    others[0].title = "Tên đã sửa mà không đánh chỉ mục lại"
    others[0].save(update_fields=["title"])
    with pytest.raises(CommandError, match="5 initiatives: 1 missing from the duplicate index, 1 stale") as error:
        check_index()
    assert error.value.returncode == 1
    import io

    call_command("rebuild_duplicate_index", stdout=io.StringIO())
    assert "0 missing from the duplicate index, 0 stale" in check_index()

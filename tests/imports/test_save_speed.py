"""Issue 12, round 3: the shortcuts of checking and saving a large file give the answers of the long way.

- a plain-text description is sanitised without nh3, to the same HTML;
- the closest unit names of an unknown name are found without comparing every name, the same ones;
- new participants are written by one multi-row insert, each key on its own author.
"""

from __future__ import annotations

import difflib
import gc
import io
import random
import re

import pytest
from django.db import connection
from django.db.models.lookups import In
from django.test.utils import CaptureQueriesContext

from sangkien.core import bulk, sanitise
from sangkien.core.bulk import rows_in
from sangkien.core.sanitise import clean_description
from sangkien.imports import passes, services
from sangkien.imports.checking import UnitResolver, clean_plain_description
from sangkien.initiatives.details import AuthorData
from sangkien.initiatives.models import Authorship, Initiative, Person
from sangkien.initiatives.people import Circle, PersonResolver, identity
from tests.factories import InitiativeFactory, PersonFactory, make_unit
from tests.imports.conftest import row, xlsx_file

PLAIN = [
    "Giải pháp cải tiến số 7.\n\nÁp dụng tại CĐCS Công ty May (3701-0001); giảm 10 % thời gian.",
    "Một dòng", "Dòng 1\nDòng 2\n\n\n  Đoạn 2  \n dòng 3", "x\n \t\n y", "100% — “ngoặc kép” 😀 ²",
    "- gạch đầu dòng\n1. số thứ tự\no chữ o", "a\u2028b\u2029c\ufeffd\u200be",
]
NOT_PLAIN = [
    "<p>HTML</p>", "a < b > c", "Tom & Jerry", "&nbsp;", 'nói "có"', "it's", "· chấm giữa\n• chấm tròn",
    "a\u00a0b", "tab\there", "ctrl\x0bchar", "nul\x00char", "\x85next line", "\ufffe", "<script>x</script>y",
]


@pytest.mark.parametrize("raw", PLAIN + NOT_PLAIN)
def test_a_description_is_sanitised_to_the_same_html_as_clean_description(raw):
    assert clean_plain_description(raw) == clean_description(raw)


def test_random_descriptions_are_sanitised_to_the_same_html_as_clean_description():
    rng = random.Random(12)
    alphabet = list("abc xyzĐđăâêôơưáàảãạ ÁỆ 0123456789.,;:!?-–()[]/%*+=_@#\n\n\n\t  ") + [
        "\u00a0", "&", "<", ">", '"', "'", "·", "•", "\x00", "\x0c", "\x7f", "\x85", "\u2028", "\ufeff", "😀",
        "&nbsp;", "<b>", "</p>", "- ", "1. ", "o ", "  \n  \n"]
    fast = 0
    for _i in range(3000):
        raw = "".join(rng.choice(alphabet) for _j in range(rng.randrange(1, 50)))
        assert clean_plain_description(raw) == clean_description(raw), repr(raw)
        fast += "<" not in raw and "&" not in raw
    assert fast > 100  # the shortcut was taken often


def test_a_plain_description_does_not_go_through_nh3(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("nh3 called for plain text")

    monkeypatch.setattr(sanitise.nh3, "clean", refuse)
    assert clean_plain_description(PLAIN[0]) == (
        "<p>Giải pháp cải tiến số 7.</p><p>Áp dụng tại CĐCS Công ty May (3701-0001); giảm 10 % thời gian.</p>")
    with pytest.raises(AssertionError):
        clean_plain_description("<p>HTML</p>")  # markup still goes through the sanitiser


@pytest.fixture
def many_units(tree):
    """60 grassroots unions under d1, names of a few kinds (as a province's list looks)."""
    kinds = ["Công ty May", "Trường THCS", "Bệnh viện", "Công ty Cơ khí", "Trường Tiểu học", "Nhà máy Xi măng"]
    for i in range(60):
        make_unit(tree["d1"], code=f"375-1{i:03d}", name=f"CĐCS {kinds[i % 6]} {i // 6:02d}-{i:02d}",
                  is_active=i % 11 != 0)
    return tree


def _every_ratio(resolver: UnitResolver, needle: str, candidates: list[str], limit: int) -> list:
    """What ``_closest`` answered before issue 12's round 3: every candidate's ratio, sorted."""
    scored = sorted(((difflib.SequenceMatcher(None, needle, n).ratio(), n) for n in candidates), reverse=True)
    out = []
    for ratio, name in scored:
        if ratio < 0.5:
            break
        out.extend(r for r in resolver.by_name[name] if r.is_active)
        if len(out) >= limit:
            break
    return out[:limit]


@pytest.mark.django_db
def test_the_closest_unit_names_are_those_of_comparing_every_name(many_units, monkeypatch):
    resolver = UnitResolver(many_units["d1"])
    names = list(resolver.by_name)
    rng = random.Random(5)
    needles = [n[:rng.randrange(3, len(n))] for n in names[:20]] + [n.replace("cong ty", "cty") + "x" for n in names]
    needles += ["".join(rng.choice("abcd oy0123-") for _j in range(rng.randrange(1, 20))) for _i in range(20)]
    ratios = 0
    original = difflib.SequenceMatcher.ratio

    def counted(self):
        nonlocal ratios
        ratios += 1
        return original(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", counted)
    for limit in (1, 3):
        for needle in needles:
            ratios = 0
            found = resolver._closest(needle, names, limit)
            shortcut = ratios
            assert found == _every_ratio(resolver, needle, names, limit), needle
            assert shortcut <= len(names)
    ratios = 0
    resolver._closest("cdcs cong ty may 00-00x", names, 3)
    assert ratios < len(names) / 2  # most names are never compared


@pytest.mark.django_db
def test_a_unit_name_is_read_once_per_import(many_units):
    """Issue 12, round 4: a file names its units again and again; an unknown name (which looks
    outside the scope in the database) and a loosely typed one are answered once."""
    resolver = UnitResolver(many_units["d1"])
    unknown, loose = "Công ty Không Có Thật", "trường THCS 00-01"
    first = resolver.resolve(unknown), resolver.resolve(loose)
    with CaptureQueriesContext(connection) as queries:
        assert (resolver.resolve(unknown), resolver.resolve(loose)) == first
    assert len(queries) == 0
    assert first[0][0] is None and "Không tìm thấy" in first[0][1]
    assert first[1][0] is not None and first[1][0].code == "375-1001" and loose in resolver.understood


@pytest.mark.django_db
def test_new_participants_are_one_insert_each_key_on_its_own_author():
    authors = [AuthorData(full_name=f"Người {i}", phone=f"+849{i:08d}" if i % 3 else "",
                          email=f"nguoi{i}@example.vn" if i % 3 == 0 and i % 2 else "", job="Công nhân",
                          workplace=f"Tổ {i % 9}") for i in range(600)]
    resolver = PersonResolver(circle=Circle())
    with CaptureQueriesContext(connection) as queries:
        found = resolver.resolve(authors)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("INSERT")]
    assert len(inserts) == 1  # Django's bulk_create took five on SQLite (999 parameters a statement)
    assert Person.objects.count() == 600
    by_pk = {p.pk: p for p in Person.objects.all()}
    for author in authors:
        person = by_pk[found[identity(author)]]
        assert (person.full_name, person.phone, person.email, person.job, person.workplace, person.user_id) == (
            author.full_name, author.phone, author.email, author.job, author.workplace, None)
        assert person.created_at is not None
    made = resolver.person(AuthorData(full_name="Người mới", phone="+84911111111"))
    assert made.pk and not made._state.adding
    stored = Person.objects.get(pk=made.pk)
    assert (made.full_name, made.phone, made.created_at) == (stored.full_name, stored.phone, stored.created_at)


@pytest.mark.django_db
def test_tracking_codes_of_a_batch_are_of_the_alphabet_fresh_and_unique(tree, phase, monkeypatch):
    from sangkien.initiatives import bulk
    from sangkien.initiatives.models import TRACKING_ALPHABET
    from tests.factories import InitiativeFactory

    codes = bulk.new_tracking_codes(5000)
    assert len(set(codes)) == 5000
    assert all(re.fullmatch(f"SK-[{TRACKING_ALPHABET}]{{8}}", code) for code in codes)
    assert set("".join(code[3:] for code in codes)) == set(TRACKING_ALPHABET)  # every letter drawn
    taken = InitiativeFactory(phase=phase, unit=tree["g12"]).tracking_code
    draws = iter([{taken, "SK-AAAAAAAA"}, {"SK-BBBBBBBB"}])
    monkeypatch.setattr(bulk, "_random_codes", lambda n: next(draws))
    assert sorted(bulk.new_tracking_codes(2)) == ["SK-AAAAAAAA", "SK-BBBBBBBB"]  # the code in use is drawn again


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen", "fields")
def test_an_import_saves_on_sqlite_with_a_larger_page_cache_then_gives_it_back(officer, tree, phase, monkeypatch):
    """Issue 12, round 4: SQLite's 2 MB page cache read the growing indexes' pages again and again."""
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    seen: list[int] = []
    run_save = passes.run_save

    def spied(job, **kwargs):
        seen.append(cache_size() if connection.vendor == "sqlite" else 0)
        return run_save(job, **kwargs)

    monkeypatch.setattr(services, "run_save", spied)
    data = xlsx_file([row(), row()], programme=phase.programme, phase=phase, scope=tree["d1"])
    job = services.create_import_job(upload=io.BytesIO(data), name="a.xlsx", programme=phase.programme,
                                     unit=tree["d1"], actor=officer)
    job = services.confirm_job(job=services.check_job(job.pk), mode="all", actor=officer)
    before = cache_size() if connection.vendor == "sqlite" else 0
    job = services.save_job(job.pk, actor=officer)
    assert job.rows_saved == 2
    if connection.vendor == "sqlite":
        assert seen == [-services.SQLITE_SAVE_CACHE_KIB]
        assert cache_size() == before != seen[0]  # the connection's own size again
    else:  # one transaction, the server's own cache
        assert seen == [0]


@pytest.mark.django_db
def test_rows_in_gives_what_the_orm_gives(tree, phase):
    first = InitiativeFactory(phase=phase, unit=tree["g11"])
    second = InitiativeFactory(phase=phase, unit=tree["g12"])
    Authorship.objects.filter(initiative=first).update(phone="+84912000001", email="A@example.vn")
    Authorship.objects.filter(initiative=second).update(phone="+84912000002", email="b@example.vn")
    for field, values in (("phone", {"+84912000001", "+84912000002", "+84900000000"}),
                          ("email", {"a@example.vn", "A@EXAMPLE.VN", "A@example.vn", "b@example.vn"})):
        orm = Authorship.objects.filter(**{f"{field}__in": values}).values_list("initiative_id", field, "person_id")
        assert sorted(rows_in(Authorship, ("initiative", field, "person"), field, values)) == sorted(orm)
    codes = [first.tracking_code, second.tracking_code, "SK-NOTHING"]
    assert sorted(rows_in(Initiative, ("tracking_code", "id"), "tracking_code", codes)) == sorted(
        Initiative.objects.filter(tracking_code__in=codes).values_list("tracking_code", "pk"))
    assert rows_in(Initiative, ("id",), "tracking_code", codes, unit=tree["g12"].pk) == [(second.pk,)]
    assert rows_in(Initiative, ("id",), "tracking_code", []) == []


@pytest.mark.django_db
def test_rows_in_cuts_a_long_list_into_statements(tree, phase, monkeypatch):
    """A list longer than ``ROWS_IN_CHUNK`` is looked up in several statements, each with the equal
    conditions (round 5: the import's look-ups by primary key send whole passes' ids)."""
    made = [InitiativeFactory(phase=phase, unit=tree["g11" if n % 2 else "g12"]) for n in range(5)]
    monkeypatch.setattr(bulk, "ROWS_IN_CHUNK", 2)
    ids = [i.pk for i in made] + [1]
    with CaptureQueriesContext(connection) as queries:
        found = rows_in(Initiative, ("id",), "id", ids, unit=tree["g11"].pk)
    assert sorted(found) == [(i.pk,) for i in made if i.unit_id == tree["g11"].pk]
    assert len(queries) == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen", "fields")
def test_a_chunk_looks_up_phones_e_mails_and_codes_without_preparing_each_value(officer, tree, phase, monkeypatch):
    """Issue 12, round 4: the ORM prepared each of a chunk's thousand values of an IN list on its own;
    round 5: the initiatives of the authors met before too (already saved? the same person?)."""
    prepared: list[str] = []
    get_prep_lookup = In.get_prep_lookup

    def spied(self):
        prepared.append(f"{self.lhs.target.model.__name__}.{self.lhs.target.name}")
        return get_prep_lookup(self)

    known = PersonFactory(phone="+84913000001")
    InitiativeFactory(phase=phase, unit=tree["g12"], title="Sổ tay điện tử", author=known)
    rows = [row(author_email=f"x{i}@example.vn") for i in range(3)] + [row(author_phone="0913 000 001")]
    data = xlsx_file(rows, programme=phase.programme, phase=phase, scope=tree["d1"])
    job = services.create_import_job(upload=io.BytesIO(data), name="a.xlsx", programme=phase.programme,
                                     unit=tree["d1"], actor=officer)
    job = services.confirm_job(job=services.check_job(job.pk), mode="all", actor=officer)
    monkeypatch.setattr(In, "get_prep_lookup", spied)
    assert services.save_job(job.pk, actor=officer).rows_saved == 4
    assert Authorship.objects.filter(person=known).count() == 2  # the same person, found in the subtree
    looked_up_one_by_one = {"Authorship.phone", "Authorship.email", "Authorship.full_name", "Initiative.tracking_code",
                            "User.phone", "Initiative.id", "Unit.id"}
    assert not looked_up_one_by_one & set(prepared), prepared


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen", "fields")
def test_the_passes_leave_the_objects_alive_before_them_out_of_the_collector_and_give_them_back(
        officer, tree, phase, monkeypatch):
    """Issue 12, round 5: rows kept alive across a batch set off a full garbage collection every few
    thousand rows, each walking the whole process; the passes freeze what was alive before them."""
    from sangkien.imports.checking import RowChecker
    from sangkien.imports.saving import BulkWriter
    from sangkien.imports.workbook import ResultWriter

    seen: dict[str, int] = {}

    def spy(cls, name, label):
        original = getattr(cls, name)

        def spied(self, *args, **kwargs):
            seen[label] = gc.get_freeze_count()
            return original(self, *args, **kwargs)
        monkeypatch.setattr(cls, name, spied)

    spy(RowChecker, "check", "check")
    spy(BulkWriter, "write", "save")
    spy(ResultWriter, "write", "workbook")
    assert gc.get_freeze_count() == 0
    data = xlsx_file([row(), row()], programme=phase.programme, phase=phase, scope=tree["d1"])
    job = services.create_import_job(upload=io.BytesIO(data), name="a.xlsx", programme=phase.programme,
                                     unit=tree["d1"], actor=officer)
    job = services.check_job(job.pk)
    assert gc.get_freeze_count() == 0
    job = services.save_job(services.confirm_job(job=job, mode="all", actor=officer).pk, actor=officer)
    assert job.rows_saved == 2
    assert seen.keys() == {"check", "save", "workbook"} and min(seen.values()) > 0, seen
    assert gc.get_freeze_count() == 0

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(RowChecker, "check", broken)  # a pass failing half-way gives them back too
    job = services.create_import_job(upload=io.BytesIO(data), name="b.xlsx", programme=phase.programme,
                                     unit=tree["d1"], actor=officer)
    assert services.check_job(job.pk).status == "failed"
    assert gc.get_freeze_count() == 0

"""Every path that writes an initiative's text keeps the duplicate index in step (issue 8 item 3).

The services (form, proxy entry, resubmission) are covered in test_submit.py,
the import in tests/imports, the scenarios in tests/demo and tests/national;
here: the admin, which must not write initiatives at all.
"""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_can_neither_add_nor_edit_an_initiative(client, original):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/quan-tri-he-thong/initiatives/initiative/add/").status_code == 403
    change = client.get(f"/quan-tri-he-thong/initiatives/initiative/{original.pk}/change/")
    assert change.status_code == 200 and 'name="title"' not in change.content.decode()
    assert client.post(f"/quan-tri-he-thong/initiatives/initiative/{original.pk}/change/",
                       {"title": "Sửa trong admin"}).status_code == 403
    original.refresh_from_db()
    assert original.title != "Sửa trong admin"


def check_index() -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("rebuild_duplicate_index", "--check", stdout=out)
    return out.getvalue()


def test_the_form_and_a_resubmission_keep_the_index_in_step(client, tree, phase, reviewer):
    import time_machine
    from django.urls import reverse

    from sangkien.core.clock import local_datetime
    from sangkien.duplicates.similar import similar_initiatives
    from sangkien.initiatives.models import Initiative, Status
    from sangkien.initiatives.services import review_initiative
    from tests.duplicates.texts import DYEING_TITLE, dyeing_text
    from tests.initiatives.test_submission import form_data, submit_url

    member = UserFactory(full_name="Nguyễn Thị Hoa")
    client.force_login(member)
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        client.post(submit_url(phase.programme), form_data(tree, title=DYEING_TITLE, description=dyeing_text()))
        initiative = Initiative.objects.get()
        assert "1 initiatives: 0 missing" in check_index()
        review_initiative(initiative=initiative, decision=Status.RETURNED, reason="Bổ sung", actor=reviewer)
        new_title, new_text = "Bảng phân công trực nhật bằng mã QR", "<p>Mỗi lớp quét mã QR để nhận ca trực.</p>"
        client.post(reverse("initiatives:edit", args=[initiative.tracking_code]), {
            "sector_block": "public", "title": new_title, "description": new_text,
            "benefit_vnd": "12 triệu", "recognition_form": ""})
    initiative.refresh_from_db()
    assert initiative.title == new_title and initiative.status == Status.SUBMITTED
    assert "0 missing from the duplicate index, 0 stale" in check_index()
    found = similar_initiatives(programme_id=phase.programme_id, title=new_title, description=new_text)
    assert [m.initiative for m in found] == [initiative] and found[0].score == 1.0
    assert similar_initiatives(programme_id=phase.programme_id, title=DYEING_TITLE, description=dyeing_text()) == []


def test_band_keys_already_there_are_skipped_and_the_others_added(original):
    """What a re-index does: the keys an initiative keeps are there already (skipped, no error), the
    new ones are added; the 32-bit range's ends are kept as they are (the column is a 32-bit integer)."""
    from sangkien.duplicates.index import _add_keys
    from sangkien.duplicates.models import BandKey

    pk = original.pk
    before = set(BandKey.objects.filter(initiative_id=pk).values_list("band_key", flat=True))
    assert before
    kept, new = sorted(before)[:3], [-(2**31), 2**31 - 1, 7]
    _add_keys(pk, [*kept, *new, 7])
    after = list(BandKey.objects.filter(initiative_id=pk).values_list("band_key", flat=True))
    assert len(after) == len(set(after)) and set(after) == before | set(new)

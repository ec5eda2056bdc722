"""In review: likely duplicates programme-wide, scope-limited details, "mark duplicate",
counted once, the member sees why."""

import re

import pytest
from django.urls import reverse

from sangkien.core.models import AuditEntry
from sangkien.duplicates.services import mark_duplicate
from sangkien.initiatives.models import Status
from sangkien.reports.counting import unit_table
from sangkien.roles.models import Role
from tests.duplicates.conftest import indexed
from tests.duplicates.texts import KINDS, PARAPHRASE, PARAPHRASE_TITLE
from tests.factories import PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(tree, phase, original):
    """The paraphrase, sent again in Yên Khánh (g11) by another worker."""
    author = PersonFactory(full_name="Lê Văn Tám", phone="+84987000333", email="tam@example.vn")
    return indexed(phase=phase, unit=tree["g11"], title=PARAPHRASE_TITLE, description=PARAPHRASE,
                   author=author, submitted_by=UserFactory(full_name="Lê Văn Tám"))


def matches_html(client, initiative):
    return client.get(reverse("duplicates:matches", args=[initiative.tracking_code]),
                      HTTP_HX_REQUEST="true").content.decode()


def test_queue_item_loads_its_likely_duplicates_from_the_whole_programme(client, reviewer, copy, original):
    client.force_login(reviewer)
    queue = client.get(reverse("review:queue", args=[copy.programme.slug])).content.decode()
    assert reverse("duplicates:matches", args=[copy.tracking_code]) in queue
    html = matches_html(client, copy)
    assert original.title in html and original.unit.name in html
    assert "có thể trùng" in html and "Đã gửi, chờ xét duyệt" in html


def test_outside_the_scope_only_title_unit_and_status(client, reviewer, copy, original):
    client.force_login(reviewer)
    html = matches_html(client, copy)
    assert original.title in html and original.unit.name in html
    assert "ngoài phạm vi của bạn" in html
    for private in ("Hoàng Thị Mai", "0912", "mai@example.vn", "ống đồng phi 6", original.tracking_code,
                    reverse("initiatives:detail", args=[original.tracking_code])):
        assert private not in html


def test_inside_the_scope_the_reviewer_sees_the_initiative_and_its_author(client, tree, copy, original):
    bac_giang = UserFactory()
    grant(bac_giang, tree["p2"], Role.REVIEWER)
    grant(bac_giang, tree["p1"], Role.REVIEWER)
    client.force_login(bac_giang)
    html = matches_html(client, copy)
    assert reverse("initiatives:detail", args=[original.tracking_code]) in html
    assert "Hoàng Thị Mai" in html and "ngoài phạm vi của bạn" not in html


def test_without_javascript_the_matches_are_a_page(client, reviewer, copy, original):
    client.force_login(reviewer)
    page = client.get(reverse("duplicates:matches", args=[copy.tracking_code])).content.decode()
    assert "<html" in page and original.title in page


def test_a_member_cannot_list_matches_nor_an_outsider(client, tree, copy):
    client.force_login(copy.submitted_by)
    assert client.get(reverse("duplicates:matches", args=[copy.tracking_code])).status_code == 403
    outsider = UserFactory()
    grant(outsider, tree["d2"], Role.REVIEWER)
    client.force_login(outsider)
    assert client.get(reverse("duplicates:matches", args=[copy.tracking_code])).status_code == 404


def test_reviewer_marks_duplicate_counted_once_and_member_sees_why(client, tree, reviewer, copy, original):
    programme = copy.programme
    assert unit_table(programme=programme, unit=tree["root"]).total.submitted == 2
    client.force_login(reviewer)
    # the form's own value: a primary key above 1,000,000 must not come out as "1.000.123"
    [value] = re.findall(r'name="original" value="([^"]*)"', matches_html(client, copy))
    assert value == str(original.pk)
    response = client.post(reverse("duplicates:mark", args=[copy.tracking_code]),
                           {"original": value, "reason": "Cùng giải pháp vòi thổi khí nén"})
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.duplicate_of == original and copy.status == Status.SUBMITTED
    national = unit_table(programme=programme, unit=tree["root"])
    assert national.total.submitted == 1 and national.total.participants == 1
    assert {r.code: r.submitted for r in national.rows}["37"] == 0  # Ninh Bình: the copy is not counted
    entry = AuditEntry.objects.get(action="initiative.marked_duplicate")
    assert entry.actor == reviewer and entry.data["original"] == original.tracking_code
    change = copy.history.last()
    assert change.actor == reviewer and "Cùng giải pháp vòi thổi khí nén" in change.reason
    client.force_login(copy.submitted_by)
    page = client.get(reverse("initiatives:detail", args=[copy.tracking_code])).content.decode()
    assert "Trùng với sáng kiến khác" in page and "Cùng giải pháp vòi thổi khí nén" in page
    assert original.title in page and original.unit.name in page
    assert original.tracking_code not in page  # the member sees which, not a key to its record
    dashboard = client.get(reverse("reports:dashboard", args=[programme.slug, tree["root"].code]))
    assert dashboard.status_code == 200


def test_mark_needs_a_reason_and_a_reviewer_over_the_duplicate(client, tree, reviewer, copy, original):
    client.force_login(reviewer)
    client.post(reverse("duplicates:mark", args=[copy.tracking_code]), {"original": original.pk})
    copy.refresh_from_db()
    assert copy.duplicate_of is None
    # the original is in Bắc Giang: a Ninh Bình reviewer cannot mark it
    assert client.post(reverse("duplicates:mark", args=[original.tracking_code]),
                       {"original": copy.pk, "reason": "x"}).status_code == 404


def test_chains_end_at_one_original_and_unmark_counts_again(tree, phase, reviewer, copy, original):
    title, text = KINDS["exact"]
    third = indexed(phase=phase, unit=tree["g12"], title=title, description=text)
    committee = UserFactory()
    grant(committee, tree["root"], Role.ORGANISING_COMMITTEE)
    mark_duplicate(initiative=third, original=copy, reason="Bản chép lại", actor=committee)
    mark_duplicate(initiative=copy, original=original, reason="Trùng", actor=committee)
    third.refresh_from_db()
    assert third.duplicate_of == original
    from sangkien.duplicates.services import unmark_duplicate

    unmark_duplicate(initiative=copy, reason="", actor=committee)
    assert unit_table(programme=phase.programme, unit=tree["root"]).total.submitted == 2


def test_member_list_and_public_lookup_show_the_duplicate_mark(client, tree, phase):
    from django.urls import reverse

    from tests.factories import InitiativeFactory, UserFactory

    member = UserFactory()
    original = InitiativeFactory(phase=phase, unit=tree["g11"], title="Bản gốc của sáng kiến")
    copy = InitiativeFactory(phase=phase, unit=tree["g12"], submitted_by=member)
    copy.duplicate_of, copy.duplicate_reason = original, "Cùng nội dung với bản đã gửi"
    copy.save()
    client.force_login(member)
    for url in (reverse("initiatives:mine"), reverse("initiatives:track") + f"?ma={copy.tracking_code}"):
        html = client.get(url).content.decode()
        assert "Trùng với sáng kiến đã gửi trước: Bản gốc của sáng kiến" in html
        assert "Cùng nội dung với bản đã gửi" in html

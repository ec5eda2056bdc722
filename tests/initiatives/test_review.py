"""Review: decisions with reasons, kept in history, seen by the member."""

import pytest
from django.urls import reverse

from sangkien.initiatives.models import Status
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiative(tree, phase):
    member = UserFactory()
    return InitiativeFactory(phase=phase, unit=tree["g11"], submitted_by=member)


@pytest.fixture
def reviewer(tree):
    user = UserFactory(full_name="Đinh Văn Long")
    grant(user, tree["d1"], Role.REVIEWER)
    return user


def decide(client, initiative, decision, reason=""):
    return client.post(reverse("review:review", args=[initiative.tracking_code]),
                       {"decision": decision, "reason": reason})


def test_reviewer_approves_and_history_keeps_who_when_from_to_why(client, initiative, reviewer):
    client.force_login(reviewer)
    decide(client, initiative, Status.APPROVED, "Đạt yêu cầu")
    initiative.refresh_from_db()
    assert initiative.status == Status.APPROVED
    change = initiative.history.last()
    assert (change.actor, change.from_status, change.to_status, change.reason) == (
        reviewer, Status.SUBMITTED, Status.APPROVED, "Đạt yêu cầu")


def test_return_needs_a_reason_and_the_member_sees_it(client, initiative, reviewer):
    client.force_login(reviewer)
    response = decide(client, initiative, Status.RETURNED, "")
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED
    assert "Hãy ghi lý do" in client.get(response["Location"]).content.decode()
    decide(client, initiative, Status.RETURNED, "Bổ sung giá trị làm lợi")
    client.force_login(initiative.submitted_by)
    page = client.get(reverse("initiatives:mine")).content.decode()
    assert "Trả lại để bổ sung" in page and "Bổ sung giá trị làm lợi" in page


def test_member_completes_a_returned_initiative_and_sends_it_back(client, initiative, reviewer):
    import time_machine

    from sangkien.core.clock import local_datetime
    client.force_login(reviewer)
    with time_machine.travel(local_datetime(2021, 4, 6), tick=False):
        decide(client, initiative, Status.RETURNED, "Bổ sung giá trị làm lợi")
    client.force_login(initiative.submitted_by)
    with time_machine.travel(local_datetime(2021, 4, 10), tick=False):
        client.post(reverse("initiatives:edit", args=[initiative.tracking_code]), {
            "sector_block": "public", "title": initiative.title, "description": "<p>Đã bổ sung</p>",
            "benefit_vnd": "12 triệu", "recognition_form": ""})
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED and initiative.benefit_vnd == 12_000_000
    assert [h.to_status for h in initiative.history.all()] == [Status.RETURNED, Status.SUBMITTED]


def test_reviewer_of_another_district_cannot_decide(client, initiative, tree):
    outsider = UserFactory()
    grant(outsider, tree["d2"], Role.REVIEWER)
    client.force_login(outsider)
    response = decide(client, initiative, Status.APPROVED)
    initiative.refresh_from_db()
    assert response.status_code == 404 and initiative.status == Status.SUBMITTED


def test_support_team_cannot_approve(client, initiative, tree):
    helper = UserFactory()
    grant(helper, tree["g11"], Role.SUPPORT_TEAM)
    client.force_login(helper)
    response = decide(client, initiative, Status.APPROVED)
    initiative.refresh_from_db()
    assert response.status_code == 403 and initiative.status == Status.SUBMITTED


def test_queue_lists_the_reviewers_subtree_only(client, tree, phase, reviewer):
    mine = InitiativeFactory(phase=phase, unit=tree["g12"], title="Trong phạm vi")
    InitiativeFactory(phase=phase, unit=tree["g21"], title="Ngoài phạm vi")
    client.force_login(reviewer)
    html = client.get(reverse("review:queue", args=[phase.programme.slug])).content.decode()
    assert mine.title in html and "Ngoài phạm vi" not in html


def test_support_team_enters_on_behalf_and_the_record_keeps_who(client, tree, phase):
    import uuid

    import time_machine

    from sangkien.core.clock import local_datetime
    from sangkien.initiatives.models import Initiative
    officer = UserFactory(full_name="Vũ Thị Lan")
    grant(officer, tree["g11"], Role.SUPPORT_TEAM)
    client.force_login(officer)
    url = reverse("review:enter", args=[tree["g11"].code, phase.programme.slug])
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        client.post(url, {"author_full_name": "Phạm Văn Công", "author_phone": "0903 111 222",
                          "sector_block": "enterprise", "title": "Đồ gá mới", "description": "Giảm thời gian thay khuôn",
                          "benefit_vnd": "5.000.000", "submission_token": uuid.uuid4().hex})
        other = client.post(reverse("review:enter", args=[tree["g21"].code, phase.programme.slug]), {})
    initiative = Initiative.objects.get()
    assert initiative.entered_by == officer and initiative.submitted_by is None
    assert initiative.unit == tree["g11"] and initiative.authorships.get().person.full_name == "Phạm Văn Công"
    assert other.status_code == 403


def _review_form(html):
    """The decision radios and the form action of the initiative page's review box."""
    from tests.initiatives.htmltools import tags

    box = html[html.index('class="review-box"'):]
    box = box[:box.index("</form>")]
    action = next(f["action"] for f in tags(box, "form"))
    radios = [i for i in tags(box, "input") if i.get("name") == "decision"]
    return action, radios, box


def test_review_form_on_the_initiative_page_submits_what_it_shows(client, initiative, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("initiatives:detail", args=[initiative.tracking_code])).content.decode()
    action, radios, box = _review_form(page)
    assert [(r["type"], r["value"]) for r in radios] == [
        ("radio", Status.APPROVED), ("radio", Status.RETURNED), ("radio", Status.REJECTED)]
    assert "<option" not in box and box.count("Trả lại để bổ sung") == 1
    response = client.post(action, {"decision": radios[0]["value"], "reason": "Đạt yêu cầu"})
    initiative.refresh_from_db()
    assert initiative.status == Status.APPROVED and initiative.status_reason == "Đạt yêu cầu"
    assert "Hãy chọn quyết định" not in client.get(response["Location"]).content.decode()


def test_a_decided_initiative_offers_only_the_decisions_that_apply(client, initiative, reviewer):
    client.force_login(reviewer)
    decide(client, initiative, Status.APPROVED)
    page = client.get(reverse("initiatives:detail", args=[initiative.tracking_code])).content.decode()
    _action, radios, _box = _review_form(page)
    assert [r["value"] for r in radios] == [Status.RETURNED, Status.REJECTED]


def test_errors_name_the_initiative(client, initiative, reviewer):
    client.force_login(reviewer)
    queue = reverse("review:queue", args=[initiative.programme.slug])
    response = client.post(reverse("review:review", args=[initiative.tracking_code]),
                           {"decision": Status.RETURNED, "reason": "", "next": queue})
    html = client.get(response["Location"]).content.decode()
    assert f"{initiative.tracking_code} “{initiative.title}”: Hãy ghi lý do" in html
    response = client.post(reverse("review:review", args=[initiative.tracking_code]), {"next": queue})
    html = client.get(response["Location"]).content.decode()
    assert f"{initiative.tracking_code} “{initiative.title}”: Hãy chọn quyết định." in html

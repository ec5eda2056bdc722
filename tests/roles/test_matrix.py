"""The role × action matrix of docs/roles.md, walked with users inside and
outside each scope.  Subjects: an initiative of CĐCS 375-0001 (inside every
role's unit below) and one of CĐCS 213-0001 (another province: outside all
but the organising committee)."""

import pytest
from django.urls import reverse

from sangkien.initiatives.models import Status
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

ROLES = {  # who → (role, unit key)
    "anonymous": None,
    "member": (),
    "support_team@g11": (Role.SUPPORT_TEAM, "g11"),
    "reviewer@d1": (Role.REVIEWER, "d1"),
    "unit_admin@p1": (Role.UNIT_ADMIN, "p1"),
    "organising_committee@root": (Role.ORGANISING_COMMITTEE, "root"),
}
ACTIONS = ["view", "personal_data", "review", "enter_on_behalf", "queue", "poster", "officer_tools"]
Y, N = True, False
#                                  view personal review enter queue poster tools   (inside scope)
MATRIX_IN = {
    "anonymous":                 (N, N, N, N, N, N, N),
    "member":                    (N, N, N, N, N, N, N),
    "support_team@g11":          (Y, Y, N, Y, Y, Y, Y),
    "reviewer@d1":               (Y, Y, Y, N, Y, Y, Y),
    "unit_admin@p1":             (Y, Y, N, Y, Y, Y, Y),
    "organising_committee@root": (Y, Y, Y, Y, Y, Y, Y),
}
# outside the scope (another province) only the organising committee reaches
MATRIX_OUT = {who: (Y,) * 7 if who.startswith("organising") else (N,) * 7 for who in ROLES}


@pytest.fixture
def world(tree, phase):
    inside = InitiativeFactory(phase=phase, unit=tree["g11"], title="Sáng kiến trong phạm vi",
                               author=PersonFactory(phone="+84911000111"))
    outside = InitiativeFactory(phase=phase, unit=tree["g21"], title="Sáng kiến ngoài phạm vi",
                                author=PersonFactory(phone="+84911000222"))
    return {"tree": tree, "phase": phase, "inside": (inside, tree["g11"], "0911000111"),
            "outside": (outside, tree["g21"], "0911000222")}


def login_as(client, who, tree):
    if ROLES[who] is None:
        return None
    user = UserFactory()
    if ROLES[who]:
        role, key = ROLES[who]
        grant(user, tree[key], role)
    client.force_login(user)
    return user


def outcomes(client, world, where):
    initiative, unit, phone = world[where]
    slug = world["phase"].programme.slug
    detail = client.get(reverse("initiatives:detail", args=[initiative.tracking_code]))
    view = detail.status_code == 200
    personal = view and f"{phone[:4]} {phone[4:7]} {phone[7:]}" in detail.content.decode()
    client.post(reverse("review:review", args=[initiative.tracking_code]),
                {"decision": Status.APPROVED, "reason": "ok"})
    initiative.refresh_from_db()
    reviewed = initiative.status == Status.APPROVED
    enter = client.get(reverse("review:enter", args=[unit.code, slug])).status_code == 200
    queue_page = client.get(reverse("review:queue", args=[slug]), {"trang-thai": "approved" if reviewed else "submitted"})
    queue = queue_page.status_code == 200 and initiative.title in queue_page.content.decode()
    poster = client.get(reverse("units:poster", args=[unit.code])).status_code == 200
    dashboard = client.get(reverse("reports:dashboard", args=[slug, unit.code])).content.decode()
    tools = "officer-tools" in dashboard
    return (view, personal, reviewed, enter, queue, poster, tools)


@pytest.mark.parametrize("who", list(ROLES))
def test_inside_scope(client, world, who):
    login_as(client, who, world["tree"])
    assert dict(zip(ACTIONS, outcomes(client, world, "inside"), strict=True)) == dict(
        zip(ACTIONS, MATRIX_IN[who], strict=True))


@pytest.mark.parametrize("who", list(ROLES))
def test_outside_scope(client, world, who):
    login_as(client, who, world["tree"])
    assert dict(zip(ACTIONS, outcomes(client, world, "outside"), strict=True)) == dict(
        zip(ACTIONS, MATRIX_OUT[who], strict=True))


def test_member_sees_own_initiative_and_personal_data(client, world):
    initiative = world["inside"][0]
    member = UserFactory()
    initiative.submitted_by = member
    initiative.save()
    client.force_login(member)
    page = client.get(reverse("initiatives:detail", args=[initiative.tracking_code]))
    assert page.status_code == 200 and "0911 000 111" in page.content.decode()
    assert "Xét duyệt" not in page.content.decode()


def test_public_tracking_page_shows_status_without_personal_data(client, world):
    initiative = world["inside"][0]
    page = client.get(reverse("initiatives:track"), {"ma": initiative.tracking_code.lower()})
    html = page.content.decode()
    assert initiative.title in html and "Đã gửi, chờ xét duyệt" in html and "0911000111" not in html

"""docs/roles.md's duplicate rows, walked for every role inside and outside its scope."""

import pytest
from django.urls import reverse

from sangkien.roles.models import Role
from tests.duplicates.conftest import indexed
from tests.duplicates.texts import DYEING_TITLE, dyeing_text
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

ROLES = {"anonymous": None, "member": (), "support_team@g11": (Role.SUPPORT_TEAM, "g11"),
         "reviewer@d1": (Role.REVIEWER, "d1"), "unit_admin@p1": (Role.UNIT_ADMIN, "p1"),
         "organising_committee@root": (Role.ORGANISING_COMMITTEE, "root")}
Y, N = True, False
#                              matches mark report   (inside the scope: CĐCS 375-0001)
INSIDE = {"anonymous": (N, N, N), "member": (N, N, N), "support_team@g11": (Y, N, Y),
          "reviewer@d1": (Y, Y, Y), "unit_admin@p1": (Y, N, Y), "organising_committee@root": (Y, Y, Y)}
OUTSIDE = {who: (Y, Y, Y) if who.startswith("organising") else (N, N, N) for who in ROLES}


@pytest.mark.parametrize("who", list(ROLES))
@pytest.mark.parametrize("where", ["g11", "g21"])
def test_duplicate_permissions(client, tree, phase, who, where):
    subject = indexed(phase=phase, unit=tree[where], title=DYEING_TITLE, description=dyeing_text())
    other = indexed(phase=phase, unit=tree["g22"], title=DYEING_TITLE, description=dyeing_text())
    if ROLES[who] is not None:
        user = UserFactory()
        if ROLES[who]:
            role, key = ROLES[who]
            grant(user, tree[key], role)
        client.force_login(user)
    can_list = client.get(reverse("duplicates:matches", args=[subject.tracking_code])).status_code == 200
    client.post(reverse("duplicates:mark", args=[subject.tracking_code]),
                {"original": other.pk, "reason": "Trùng"})
    subject.refresh_from_db()
    can_mark = subject.duplicate_of_id == other.pk
    report = reverse("duplicates:report", args=[phase.programme.slug]) + f"?don-vi={tree[where].code}"
    can_report = client.get(report).status_code == 200
    expected = (INSIDE if where == "g11" else OUTSIDE)[who]
    assert (can_list, can_mark, can_report) == expected

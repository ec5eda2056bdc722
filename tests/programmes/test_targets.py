"""Unit administrators set targets for their unit and its children only."""

import pytest
from django.urls import reverse

from sangkien.core.models import AuditEntry
from sangkien.programmes.models import Target
from sangkien.reports.counting import unit_table
from sangkien.roles.models import Role
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_province_admin_sets_district_targets_and_dashboard_shows_pct(client, tree, phase):
    admin = UserFactory()
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    client.force_login(admin)
    url = reverse("programmes:targets", args=[tree["p1"].code, phase.programme.slug])
    response = client.post(url, {f"u{tree['p1'].pk}": "1.396", f"u{tree['d1'].pk}": "1000"})
    assert response.status_code == 302
    assert Target.objects.get(unit=tree["p1"]).value == 1396
    assert Target.objects.get(unit=tree["d1"]).value == 1000
    assert AuditEntry.objects.filter(action="targets.set", actor=admin).exists()
    table = unit_table(programme=phase.programme, unit=tree["root"])
    assert {r.code: r.target for r in table.rows}["37"] == 1396


def test_bad_number_is_refused_and_kept(client, tree, phase):
    admin = UserFactory()
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    client.force_login(admin)
    url = reverse("programmes:targets", args=[tree["p1"].code, phase.programme.slug])
    response = client.post(url, {f"u{tree['d1'].pk}": "mười"})
    assert response.status_code == 200 and Target.objects.count() == 0
    html = response.content.decode()
    assert "Nhập một số nguyên không âm" in html and 'value="mười"' in html


@pytest.mark.parametrize("who", ["reviewer_same_unit", "admin_other_province", "admin_below"])
def test_others_cannot_set_targets(client, tree, phase, who):
    user = UserFactory()
    grant(user, *{"reviewer_same_unit": (tree["p1"], Role.REVIEWER),
                  "admin_other_province": (tree["p2"], Role.UNIT_ADMIN),
                  "admin_below": (tree["d1"], Role.UNIT_ADMIN)}[who])
    client.force_login(user)
    url = reverse("programmes:targets", args=[tree["p1"].code, phase.programme.slug])
    assert client.post(url, {f"u{tree['p1'].pk}": "5"}).status_code == 403
    assert Target.objects.count() == 0


def test_admin_grants_a_reviewer_in_the_subtree_and_not_outside(client, tree):
    admin = UserFactory()
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    newcomer = UserFactory(email="moi@example.vn")
    client.force_login(admin)
    url = reverse("roles:manage", args=[tree["p1"].code])
    client.post(url, {"login": "moi@example.vn", "unit_code": tree["d1"].code, "role": Role.REVIEWER})
    assert newcomer.roles.get().unit == tree["d1"]
    response = client.post(url, {"login": "moi@example.vn", "unit_code": tree["d2"].code, "role": Role.REVIEWER})
    assert "không thuộc phạm vi" in response.content.decode() and newcomer.roles.count() == 1
    assert client.get(reverse("roles:manage", args=[tree["p2"].code])).status_code == 403
    assignment = newcomer.roles.get()
    client.post(url, {"revoke": assignment.pk})
    assert newcomer.roles.count() == 0


def test_unknown_person_gets_a_clear_message(client, tree):
    admin = UserFactory()
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    client.force_login(admin)
    response = client.post(reverse("roles:manage", args=[tree["p1"].code]),
                           {"login": "0999 999 999", "unit_code": "375", "role": Role.REVIEWER})
    assert "cần đăng ký trước" in response.content.decode()


def test_a_post_the_page_did_not_make_never_clears_targets(client, tree, phase):
    """The issue's symptom: inputs named ``u1.146`` were not read, every target was cleared, "Đã lưu"."""
    admin = UserFactory()
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    client.force_login(admin)
    url = reverse("programmes:targets", args=[tree["p1"].code, phase.programme.slug])
    client.post(url, {f"u{tree['p1'].pk}": "1396", f"u{tree['d1'].pk}": "1000"}, follow=True)
    localised = f"{tree['d1'].pk:,}".replace(",", ".")
    response = client.post(url, {f"u{localised}": "2000"}, follow=True)
    html = response.content.decode()
    assert "Không đọc được chỉ tiêu nào" in html and "Đã lưu" not in html
    assert dict(Target.objects.values_list("unit__code", "value")) == {"37": 1396, "375": 1000}
    client.post(url, {f"u{tree['d1'].pk}": "1200"})
    assert dict(Target.objects.values_list("unit__code", "value")) == {"37": 1396, "375": 1200}

"""The officer page: upload a plan, see the preview, confirm once (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sangkien.roles.models import Role, RoleAssignment
from sangkien.units.models import PlanStatus, ReorganisationPlan, Unit, UnitSuccession
from tests.factories import UserFactory

PLAN = ("code,action,effective_on,new_parent_code\n"
        "375,dissolve,2025-07-01,37\n")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC), tick=False):
        yield


def officer(unit: Unit, role: str = Role.UNIT_ADMIN):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user


def upload(client, code: str, text: str, name: str = "plan.csv"):
    return client.post(reverse("units:reorganise", args=[code]),
                       {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})


def test_a_provincial_officer_previews_then_applies_once(client, tree):
    district_officer = officer(tree["d1"])
    client.force_login(officer(tree["p1"]))

    response = upload(client, "37", PLAN)

    plan = ReorganisationPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("units:reorganise_plan",
                                                                            args=["37", plan.pk])
    assert (plan.scope, plan.file_name, plan.status) == (tree["p1"], "plan.csv", PlanStatus.PREVIEWED)
    page = client.get(response["Location"]).content.decode()
    assert "LĐLĐ huyện Yên Khánh" in page and "kèm 2 đơn vị trực thuộc" in page
    assert district_officer.display_name in page and "cần giao lại" in page
    assert 'data-testid="apply-plan"' in page
    assert not UnitSuccession.objects.exists()  # the preview writes nothing

    first = client.post(reverse("units:reorganise_plan", args=["37", plan.pk]))
    second = client.post(reverse("units:reorganise_plan", args=["37", plan.pk]))  # a double click

    assert first.status_code == second.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPLIED
    assert UnitSuccession.objects.filter(plan=plan, kind="dissolve").count() == 1
    assert UnitSuccession.objects.count() == 3  # the district and its two grassroots unions, once
    page = client.get(reverse("units:reorganise_plan", args=["37", plan.pk])).content.decode()
    assert 'data-testid="plan-applied"' in page and 'data-testid="apply-plan"' not in page


def test_bad_rows_are_listed_and_nothing_is_kept(client, tree):
    client.force_login(officer(tree["p1"]))

    response = upload(client, "37", PLAN + "375-0001,teleport,2025-07-01,\n,move,hôm qua,37\n")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dòng 3" in page and "teleport" in page and "Dòng 4" in page and "hôm qua" in page
    assert not ReorganisationPlan.objects.exists()
    response = upload(client, "37", "not,a,plan\n")
    assert "Tệp thiếu cột" in response.content.decode()


def test_units_outside_the_scope_are_refused(client, tree):
    client.force_login(officer(tree["p1"]))

    response = upload(client, "37", "code,action,effective_on,new_parent_code\n213-0001,move,2025-07-01,375\n")

    page = client.get(response["Location"]).content.decode()
    assert "ngoài phạm vi" in page and 'data-testid="apply-plan"' not in page
    plan = ReorganisationPlan.objects.get()
    client.post(reverse("units:reorganise_plan", args=["37", plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PREVIEWED and not UnitSuccession.objects.exists()


def test_who_may_open_the_page(client, tree):
    url = reverse("units:reorganise", args=["37"])
    for user, status in ((officer(tree["d1"]), 403), (officer(tree["p2"]), 403),
                         (officer(tree["p1"], Role.REVIEWER), 403), (officer(tree["p1"]), 200),
                         (officer(tree["root"], Role.ORGANISING_COMMITTEE), 200)):
        client.force_login(user)
        assert client.get(url).status_code == status
    plan = ReorganisationPlan.objects.create(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), scope=tree["p2"])
    client.force_login(officer(tree["p1"]))
    assert client.get(reverse("units:reorganise_plan", args=["37", plan.pk])).status_code == 404

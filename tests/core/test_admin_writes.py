"""The admin never writes around a service (issue 10).

Where a service owns a model's writes, the admin either refuses the write
(403 on a POST to the change or add view, the row unchanged) or sends it
through the service, which leaves its audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.urls import reverse

from sangkien.accounts.models import ConsentRecord, ConsentVersion
from sangkien.core.models import AuditEntry
from sangkien.imports.models import ExportRecord
from sangkien.programmes.models import Phase, Target
from sangkien.roles.models import Role, RoleAssignment
from tests.factories import PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    """A superuser signed in to the admin."""
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _form_data(response: Any) -> dict[str, Any]:
    """What the admin's change page would post back unchanged: the main form and every inline formset."""
    data: dict[str, Any] = {}

    def put(form: forms.BaseForm) -> None:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if isinstance(field.widget, forms.MultiWidget):
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
            elif isinstance(value, bool) or isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = str(value)

    put(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def _change_url(obj: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _add_url(model: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def test_a_unit_is_renamed_through_rename_unit_and_nothing_else_changes(client, staff, tree):
    unit = tree["g11"]
    page = client.get(_change_url(unit))
    assert page.status_code == 200
    data = {**_form_data(page), "name": "  CĐCS Trường THCS Khánh Hội mới ", "member_count": "7",
            "kind": "national", "is_active": ""}
    response = client.post(_change_url(unit), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert (unit.name, unit.member_count, unit.kind, unit.is_active) == (
        "CĐCS Trường THCS Khánh Hội mới", 40, "grassroots", True)
    entry = AuditEntry.objects.get(action="unit.renamed", object_id=str(unit.pk))
    assert entry.actor == staff
    assert entry.data == {"old_name": "CĐCS Trường THCS Khánh Hội", "new_name": "CĐCS Trường THCS Khánh Hội mới"}
    assert unit.history.latest().history_user == staff


def test_a_unit_history_revert_also_goes_through_rename_unit(client, staff, tree):
    unit = tree["g11"]
    client.post(_change_url(unit), {**_form_data(client.get(_change_url(unit))), "name": "Tên tạm"})
    first = unit.history.earliest()
    url = reverse("admin:units_unit_simple_history", args=[unit.pk, first.history_id])
    response = client.post(url, {**_form_data(client.get(url)), "member_count": "1"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.member_count) == ("CĐCS Trường THCS Khánh Hội", 40)
    assert AuditEntry.objects.filter(action="unit.renamed", object_id=str(unit.pk)).count() == 2


def test_a_programme_and_its_phases_are_saved_through_the_services(client, staff, phase):
    programme = phase.programme
    page = client.get(_change_url(programme))
    data = _form_data(page)
    data["name"] = "75 nghìn sáng kiến (sửa)"
    data["phases-0-effect_end"] = "2021-05-31"
    response = client.post(_change_url(programme), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    phase.refresh_from_db()
    assert phase.effect_end == dt.date(2021, 5, 31)
    actions = dict(AuditEntry.objects.filter(object_id=str(programme.pk)).values_list("action", "data"))
    assert actions["programme.changed"] == {"fields": ["name"]}
    assert actions["phase.changed"] == {"phase": 1, "fields": ["effect_end"]}


def test_a_phase_added_or_deleted_in_the_admin_leaves_an_audit_row(client, staff, phase):
    programme = phase.programme
    data = _form_data(client.get(_change_url(programme)))
    data.update({"phases-TOTAL_FORMS": "2", "phases-1-number": "2", "phases-1-submission_start_0": "2021-05-01",
                 "phases-1-submission_start_1": "00:00:00", "phases-1-submission_end_0": "2021-06-01",
                 "phases-1-submission_end_1": "00:00:00", "phases-1-programme": str(programme.pk)})
    assert client.post(_change_url(programme), data).status_code == 302
    added = Phase.objects.get(programme=programme, number=2)
    data = _form_data(client.get(_change_url(programme)))
    data[next(k for k, v in data.items() if k.endswith("-id") and v == str(added.pk)).replace("-id", "-DELETE")] = "on"
    assert client.post(_change_url(programme), data).status_code == 302
    assert not Phase.objects.filter(pk=added.pk).exists()
    actions = list(AuditEntry.objects.filter(object_id=str(programme.pk)).values_list("action", flat=True))
    assert "phase.created" in actions and "phase.deleted" in actions


def _refused(client: Any, obj: Any) -> None:
    """The change view shows ``obj`` read-only, refuses a POST, and there is no add view."""
    page = client.get(_change_url(obj))
    assert page.status_code == 200
    assert client.post(_change_url(obj), {}).status_code == 403
    assert client.get(_add_url(type(obj))).status_code == 403
    assert client.post(_add_url(type(obj)), {}).status_code == 403


def test_targets_are_read_only_in_the_admin(client, staff, phase, tree):
    target = Target.objects.create(programme=phase.programme, phase=phase, unit=tree["d1"], value=10)
    _refused(client, target)
    target.refresh_from_db()
    assert target.value == 10


def test_role_assignments_are_read_only_in_the_admin(client, staff, tree):
    assignment = grant(UserFactory(), tree["d1"], Role.REVIEWER)
    _refused(client, assignment)
    delete = reverse("admin:roles_roleassignment_delete", args=[assignment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_people_are_read_only_in_the_admin(client, staff):
    person = PersonFactory(full_name="Trần Thị Hoa")
    _refused(client, person)
    person.refresh_from_db()
    assert person.full_name == "Trần Thị Hoa"


def test_consent_evidence_is_read_only_in_the_admin(client, staff):
    version = ConsentVersion.current()
    record = ConsentRecord.objects.create(user=staff, version=version)
    _refused(client, record)
    assert client.post(_change_url(version), {"version": "9", "text": "khác"}).status_code == 403
    version.refresh_from_db()
    assert version.version == 1
    assert client.get(_add_url(ConsentVersion)).status_code == 200  # a new version is still published here


def test_export_records_are_read_only_in_the_admin(client, staff, phase, tree):
    record = ExportRecord.objects.create(user=staff, programme=phase.programme, unit=tree["d1"],
                                         kind="initiatives", file_format="csv", filters={})
    _refused(client, record)

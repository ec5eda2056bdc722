"""``units.access.get_unit_for``: fetch a unit by code and authorise in one call."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sangkien.roles.models import Role
from sangkien.units.access import get_unit_for
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_a_unit_in_scope_is_returned(tree):
    admin = UserFactory()
    grant(admin, tree["d1"], Role.UNIT_ADMIN)
    assert get_unit_for(admin, "375-0002", "units.manage") == tree["g12"]


def test_a_unit_beside_or_above_the_users_units_is_refused(tree):
    admin = UserFactory()
    grant(admin, tree["d1"], Role.UNIT_ADMIN)
    for code in ("213-0001", "37"):
        with pytest.raises(PermissionDenied):
            get_unit_for(admin, code, "units.manage")


def test_a_role_without_the_permission_is_refused(tree):
    reviewer = UserFactory()
    grant(reviewer, tree["d1"], Role.REVIEWER)
    assert get_unit_for(reviewer, "375", "units.print_poster") == tree["d1"]
    with pytest.raises(PermissionDenied):
        get_unit_for(reviewer, "375", "units.manage")


def test_an_unknown_code_is_not_found(tree):
    admin = UserFactory()
    grant(admin, tree["root"], Role.UNIT_ADMIN)
    with pytest.raises(Http404):
        get_unit_for(admin, "KHONG-CO", "units.manage")

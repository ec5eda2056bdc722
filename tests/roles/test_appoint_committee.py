"""The first organising committee member is appointed from the command line (the admin never writes roles)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from sangkien.core.models import AuditEntry
from sangkien.roles.models import Role, RoleAssignment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_account_named_by_email_or_phone_joins_the_committee_once(tree):
    chi = UserFactory(email="chi@congdoan.vn", phone="+84912000111")
    call_command("appoint_committee", "Chi@CongDoan.vn")
    call_command("appoint_committee", "0912 000 111")  # the same account again: nothing new
    assignment = RoleAssignment.objects.get(user=chi)
    assert (assignment.role, assignment.unit.depth) == (Role.ORGANISING_COMMITTEE, 1)
    assert chi.has_perm("roles.grant", tree["g11"])
    entries = AuditEntry.objects.filter(action="role.appointed_from_command_line")
    assert entries.count() == 1 and entries.get().actor is None


@pytest.mark.parametrize("login", ["nobody@congdoan.vn", "0999", "not a phone"])
def test_an_unknown_login_is_refused_and_nothing_is_granted(tree, login):
    UserFactory(email="chi@congdoan.vn")
    with pytest.raises(CommandError, match="No account"):
        call_command("appoint_committee", login)
    assert not RoleAssignment.objects.exists()


def test_the_committee_sits_on_the_national_unit_only(tree):
    from sangkien.core.exceptions import NotAllowed
    from sangkien.roles.services import appoint_organising_committee

    with pytest.raises(NotAllowed):
        appoint_organising_committee(user=UserFactory(), unit=tree["g11"])
    assert not RoleAssignment.objects.exists()

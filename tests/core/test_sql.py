"""core.sql: one-row reads (first_row), an instance by primary key (by_pk) and integer arrays (int_array), as the ORM would read them (issue 12, rounds 10–11)."""

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sangkien.accounts.models import Purpose, PurposeConsent, User
from sangkien.accounts.services import set_consents
from sangkien.core.clock import now
from sangkien.core.sql import by_pk, first_row, int_array
from sangkien.roles.models import Role, RoleAssignment
from tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db


def _decide(user, purpose, granted):
    set_consents(user=user, choices={purpose: granted}, source="data_page")
    return PurposeConsent.objects.filter(user=user, purpose=purpose).latest("pk")


def test_the_first_row_in_the_order_asked_with_every_condition():
    member, other = UserFactory(), UserFactory()
    _decide(member, Purpose.PARTICIPATION, True)
    _decide(member, Purpose.SHOWCASE, True)
    last = _decide(member, Purpose.PARTICIPATION, False)
    _decide(other, Purpose.PARTICIPATION, True)
    newest = first_row(PurposeConsent, ("id", "granted"), order_by="-id", user_id=member.pk,
                       purpose=Purpose.PARTICIPATION)
    assert (newest[0], bool(newest[1])) == (last.pk, False)
    oldest = first_row(PurposeConsent, ("granted",), order_by="id", user_id=member.pk, purpose=Purpose.PARTICIPATION)
    assert bool(oldest[0]) is True
    expected = (PurposeConsent.objects.filter(user=member, purpose=Purpose.PARTICIPATION).order_by("-pk")
                .values_list("pk", flat=True).first())
    assert newest[0] == expected  # the ORM's answer
    assert first_row(PurposeConsent, ("granted",), user_id=member.pk, purpose=Purpose.NOTIFICATIONS) is None


def test_without_columns_it_says_whether_a_row_is_there_in_one_statement():
    member = UserFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert first_row(RoleAssignment, user_id=member.pk) is None
    grant(member, make_unit(), Role.REVIEWER)
    assert first_row(RoleAssignment, user_id=member.pk) == (1,)
    assert len(ctx.captured_queries) == 1 and ctx.captured_queries[0]["sql"].endswith("LIMIT 1")


def test_a_name_that_is_no_field_or_no_condition_is_refused():
    with pytest.raises(FieldDoesNotExist):
        first_row(RoleAssignment, ("nothing",), user_id=1)
    with pytest.raises(ValueError, match="at least one condition"):
        first_row(RoleAssignment)


def test_int_array_is_one_literal_that_postgresql_reads_as_the_same_integers():
    values = [0, 1, -2, 2**31 - 1, -(2**31), 2**63 - 1]
    assert int_array(values) == "{0,1,-2,2147483647,-2147483648,9223372036854775807}"
    assert int_array([]) == "{}"
    assert int_array(iter(range(3))) == "{0,1,2}"
    if connection.vendor == "postgresql":  # the statements that use it run on PostgreSQL only
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::bigint[], %s::integer[]", [int_array(values), int_array(values[:5])])
            assert cursor.fetchone() == (values, values[:5])
            with pytest.raises(DataError), transaction.atomic():
                cursor.execute("SELECT %s::integer[]", ["{1,2); DROP TABLE x; --}"])


def test_by_pk_builds_the_instance_the_orm_builds():
    user = UserFactory(full_name="Hoàng Thị Mai", phone="+84912000111", is_staff=True)
    User.objects.filter(pk=user.pk).update(phone_verified_at=now())
    orm = User.objects.filter(pk=user.pk).get()
    for pk in (user.pk, str(user.pk)):
        with CaptureQueriesContext(connection) as ctx:
            found = by_pk(User, pk, using="default")
        assert len(ctx.captured_queries) == 1
        assert found is not None and found._state.db == "default" and not found._state.adding
        for field in User._meta.concrete_fields:
            mine, theirs = getattr(found, field.attname), getattr(orm, field.attname)
            assert mine == theirs and type(mine) is type(theirs), field.name
    assert by_pk(User, user.pk + 1_000_000, using="default") is None
    with pytest.raises(ValueError):
        by_pk(User, "abc", using="default")

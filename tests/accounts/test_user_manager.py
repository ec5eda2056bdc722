"""``User.objects.get(pk=…)``, the signed-in user's read on every request, as one plain statement (issue 12, round 11)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from sangkien.accounts import models as account_models
from sangkien.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plain_reads(monkeypatch):
    """The primary keys read through ``core.sql.by_pk``."""
    read: list[object] = []
    original = account_models.by_pk

    def counted(model, pk, *, using):
        read.append(pk)
        return original(model, pk, using=using)

    monkeypatch.setattr(account_models, "by_pk", counted)
    return read


def test_get_by_pk_is_the_plain_read_with_the_orms_answer(plain_reads):
    user = UserFactory(full_name="Hoàng Thị Mai")
    assert User.objects.get(pk=str(user.pk)) == user
    assert User.objects.get(pk=user.pk).full_name == "Hoàng Thị Mai"
    assert plain_reads == [str(user.pk), user.pk]
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1_000_000)


def test_other_reads_are_djangos(plain_reads):
    user = UserFactory(phone="+84912000111")
    assert User.objects.get(phone="+84912000111") == user
    assert User.objects.get(pk=user.pk, is_active=True) == user
    assert User.objects.filter(is_active=True).get(pk=user.pk) == user
    assert plain_reads == []


def test_a_relations_manager_keeps_its_filter(plain_reads):
    """``group.user_set`` is a subclass of the model's manager: its ``get`` must not skip the group."""
    group = Group.objects.create(name="Ban tổ chức")
    inside, outside = UserFactory(), UserFactory()
    group.user_set.add(inside)
    assert group.user_set.get(pk=inside.pk) == inside
    with pytest.raises(User.DoesNotExist):
        group.user_set.get(pk=outside.pk)
    assert plain_reads == []


def test_the_signed_in_user_is_read_by_it_and_a_deactivated_one_is_signed_out(client, plain_reads):
    member = UserFactory()
    client.force_login(member)
    response = client.get(reverse("accounts_my_data"))
    assert response.status_code == 200 and response.wsgi_request.user == member
    assert plain_reads == [member.pk]  # Django converts the session's text to the key's type
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(reverse("accounts_my_data")).status_code == 302  # ModelBackend refuses an inactive user

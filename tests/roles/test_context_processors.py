"""The navigation bar's "Cán bộ" link shows for role holders only (``roles.context_processors.site``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.roles.models import Role
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _nav_links_to_officer_home(client) -> bool:
    response = client.get(reverse("initiatives:track"))
    assert response.status_code == 200
    return f'href="{reverse("review:home")}"' in response.content.decode()


def test_a_role_holder_gets_the_officer_link(client, tree):
    reviewer = UserFactory()
    grant(reviewer, tree["d1"], Role.REVIEWER)
    client.force_login(reviewer)
    assert _nav_links_to_officer_home(client)


def test_a_member_and_a_visitor_do_not(client, tree):
    assert not _nav_links_to_officer_home(client)
    client.force_login(UserFactory())
    assert not _nav_links_to_officer_home(client)

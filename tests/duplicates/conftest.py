"""Fixtures of the duplicate tests: indexed initiatives, people with roles."""

from __future__ import annotations

import pytest

from sangkien.duplicates.services import index_initiative
from sangkien.roles.models import Role
from tests.duplicates.texts import DYEING_TITLE, OTHERS, dyeing_text
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant


def indexed(**kwargs):
    """An initiative saved and indexed (the factory bypasses the services)."""
    initiative = InitiativeFactory(**kwargs)
    index_initiative(initiative)
    return initiative


@pytest.fixture
def original(tree, phase):
    """The dyeing-machine initiative, in Bắc Giang (g22), by a worker with a phone number."""
    author = PersonFactory(full_name="Hoàng Thị Mai", phone="+84912000111", email="mai@example.vn")
    return indexed(phase=phase, unit=tree["g22"], title=DYEING_TITLE, description=dyeing_text(),
                   author=author, submitted_by=UserFactory(full_name="Hoàng Thị Mai"))


@pytest.fixture
def others(tree, phase):
    return [indexed(phase=phase, unit=tree["g11"], title=t, description=d) for t, d in OTHERS]


@pytest.fixture
def reviewer(tree):
    """Reviewer of Yên Khánh district (d1, in Ninh Bình): Bắc Giang is outside their scope."""
    user = UserFactory(full_name="Đinh Văn Long")
    grant(user, tree["d1"], Role.REVIEWER)
    return user


@pytest.fixture
def committee(tree):
    user = UserFactory(full_name="Ban tổ chức")
    grant(user, tree["root"], Role.ORGANISING_COMMITTEE)
    return user

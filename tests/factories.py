"""factory_boy factories shared by every test module.

Units are tree nodes: build them with :func:`make_unit`, which calls
treebeard's ``add_root``/``add_child`` so paths stay consistent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory

from sangkien.accounts.models import User
from sangkien.core.clock import local_datetime
from sangkien.initiatives.models import Initiative, Person, SectorBlock
from sangkien.programmes.models import Phase, Programme
from sangkien.roles.models import RoleAssignment
from sangkien.units.models import Unit, UnitKind

_codes = itertools.count(1)


def make_unit(parent: Unit | None = None, *, code: str | None = None, name: str | None = None,
              kind: str = UnitKind.GRASSROOTS, **extra: Any) -> Unit:
    """Create a unit under ``parent`` (a root when ``parent`` is None)."""
    code = code or f"T{next(_codes):05d}"
    fields = {"code": code, "name": name or f"Đơn vị {code}", "kind": kind, **extra}
    if parent is None:
        return Unit.objects.add_root(fields)
    parent.refresh_from_db()
    return Unit.objects.add_child(parent, fields)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-dai-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def grant(user: User, unit: Unit, role: str) -> RoleAssignment:
    """Give ``user`` ``role`` on ``unit``."""
    return RoleAssignment.objects.create(user=user, unit=unit, role=role)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"chuong-trinh-{n}")
    name = factory.Sequence(lambda n: f"Chương trình {n}")


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    submission_start = factory.LazyFunction(lambda: local_datetime(2021, 3, 10))
    submission_end = factory.LazyFunction(lambda: local_datetime(2021, 4, 21))
    effect_start = dt.date(2021, 1, 1)
    effect_end = dt.date(2021, 4, 30)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Trần Thị {n}")
    phone = factory.Sequence(lambda n: f"+8491{n:07d}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    """An initiative; pass ``phase`` and ``unit``; one main author is created."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    phase = factory.SubFactory(PhaseFactory)
    programme = factory.LazyAttribute(lambda o: o.phase.programme)
    sector_block = SectorBlock.ENTERPRISE
    title = factory.Sequence(lambda n: f"Sáng kiến cải tiến số {n}")
    description = "<p>Mô tả giải pháp.</p>"
    benefit_vnd = 1_000_000
    submitted_at = factory.LazyFunction(lambda: local_datetime(2021, 3, 20, 9))

    @factory.post_generation
    def author(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        person = extracted or PersonFactory()
        obj.authorships.create(person=person, position=0)

"""Small helpers the scenarios share: find-or-create units, people, accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sangkien.accounts.models import ConsentSource, Purpose, User
from sangkien.accounts.services import set_consents
from sangkien.roles.models import RoleAssignment
from sangkien.units.models import Unit, UnitKind


def ensure_unit(parent: Unit | None, *, code: str, name: str, kind: str, **extra: Any) -> Unit:
    """Return the unit ``code``, creating it under ``parent`` or updating its name/kind.

    An existing unit keeps its place in the tree.
    """
    unit = Unit.objects.by_code(code)
    if unit is None:
        fields = {"code": code, "name": name, "kind": kind, **extra}
        if parent is None:
            return Unit.objects.add_root(fields)
        parent.refresh_from_db()
        return Unit.objects.add_child(parent, fields)
    changed = False
    for key, value in {"name": name, "kind": kind, "is_active": True, **extra}.items():
        if getattr(unit, key) != value:
            setattr(unit, key, value)
            changed = True
    if changed:
        unit.save()
    return unit


def ensure_root() -> Unit:
    return ensure_unit(None, code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)


def ensure_account(*, email: str = "", phone: str = "", full_name: str, password: str,
                   roles: Sequence[tuple[Unit, str]] = ()) -> User:
    """A demo account with consent recorded and ``roles`` granted; idempotent."""
    from allauth.account.models import EmailAddress

    lookup = {"email": email} if email else {"phone": phone}
    user = User.objects.filter(**lookup).first()
    if user is None:
        user = User(username=(email or phone).replace("@", "_").replace("+", "p")[:150],
                    email=email, phone=phone or None, full_name=full_name)
        user.set_password(password)
        user.save()
        if email:
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
        set_consents(user=user, choices={Purpose.PARTICIPATION: True}, source=ConsentSource.SIGNUP)
    for unit, role in roles:
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    return user

"""Shared django-rules predicates: "the user holds a capability over this unit".

The apps' ``rules.py`` build their permissions on these.  A predicate's object is a
unit, or anything with a ``scope_unit`` (an initiative, an import, an export record):
the unit whose subtree decides.  Which roles carry a capability comes from
:mod:`sangkien.roles.capabilities`; whom a role reaches from :mod:`sangkien.roles.scope`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from rules import Predicate

from sangkien.roles.capabilities import Capability, roles_with
from sangkien.roles.scope import level_above, reaches

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User


def unit_of(obj: Any) -> Any:
    """The unit ``obj`` is judged by: its ``scope_unit`` if it has one, else ``obj`` itself
    (``None`` stays ``None``)."""
    if obj is None:
        return None
    if hasattr(obj, "scope_unit"):
        return obj.scope_unit
    return obj


def holds_over(capability: Capability) -> Predicate:
    """A predicate ``(user, obj)``: ``user`` holds a role carrying ``capability`` on
    ``obj``'s unit or on a unit above it."""
    wanted = roles_with(capability)

    @rules.predicate
    def predicate(user: User | AnonymousUser, obj: Any) -> bool:
        return reaches(user, unit_of(obj), wanted)

    predicate.name = f"{capability}_over"
    return predicate


def holds_above(capability: Capability) -> Predicate:
    """A predicate ``(user, obj)``: ``user`` holds a role carrying ``capability`` over the
    level above ``obj``'s unit (:func:`~sangkien.roles.scope.level_above`: the national
    level judges its own; issue 9 item 8)."""
    wanted = roles_with(capability)

    @rules.predicate
    def predicate(user: User | AnonymousUser, obj: Any) -> bool:
        return reaches(user, level_above(unit_of(obj)), wanted)

    predicate.name = f"{capability}_above"
    return predicate


#: Any officer role over the unit (``Capability.SEE``).
any_role_over = holds_over(Capability.SEE)
#: Review rights over the unit.
reviewer_over = holds_over(Capability.REVIEW)
#: Administration rights over the unit.
admin_over = holds_over(Capability.ADMINISTER)
#: Entry rights (on behalf, imports) over the unit.
enterer_over = holds_over(Capability.ENTER)

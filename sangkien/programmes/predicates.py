"""Predicates on programmes, for every app's ``rules.py`` (adhocracy4's "phase allows add").

A phase is data (:class:`~sangkien.programmes.models.Phase`, a submission window); whether
one is open now is a predicate, so permissions can say "… while the phase is open" and
close by themselves when the window ends.  The raising form for services, with the
message saying when the window closed or opens, is
:func:`sangkien.programmes.phases.open_phase_or_raise`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from sangkien.programmes.models import Programme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sangkien.accounts.models import User


def programme_of(obj: Any) -> Programme | None:
    """The programme ``obj`` belongs to: ``obj`` itself, or its ``programme`` (a phase, an
    initiative, an import); ``None`` for ``None``."""
    if obj is None or isinstance(obj, Programme):
        return obj
    programme: Programme | None = obj.programme
    return programme


@rules.predicate
def phase_is_open(user: User | AnonymousUser, obj: Any) -> bool:
    """A phase of ``obj``'s programme (:func:`programme_of`) accepts submissions now (the one
    clock, ``sangkien.core.clock.now``): ``submission_start <= now < submission_end``.
    ``user`` is not looked at (django-rules passes it first).  One query."""
    programme = programme_of(obj)
    return programme is not None and programme.open_phase() is not None

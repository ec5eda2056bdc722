"""Targets of open programmes follow a unit through a reorganisation (issue 11; hook of ``units.reorganisation``).

A programme is open while one of its submission windows has not ended.  A
moved or renamed unit's targets move to its new row; a merged unit's targets
are added to the target unit's (or move there when it has none); on a split
or a dissolution they are listed for reassignment.  Targets of programmes
that have ended stay where they were: they count as they counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from sangkien.core.clock import now
from sangkien.core.models import log_action
from sangkien.programmes.models import Target
from sangkien.units.models import Unit
from sangkien.units.reorganisation import FollowItem

if TYPE_CHECKING:
    from sangkien.accounts.models import User

FOLLOWING_KINDS = frozenset({"move", "rename", "merge"})


def follow_targets(old: Unit, new: Unit | None, kind: str, actor: User) -> list[FollowItem]:
    """Move (or add up, on a merge) ``old``'s targets in open programmes to ``new``; list them otherwise."""
    items = []
    targets = (Target.objects.filter(unit=old, programme__phases__submission_end__gt=now())
               .distinct().select_related("programme", "phase").order_by("pk"))
    for target in targets:
        label = f"{target.programme.name}" + (f" — {target.phase}" if target.phase_id else "") + f": {target.value}"
        if new is None or kind not in FOLLOWING_KINDS:
            items.append(FollowItem("target", label, old.name, ""))
            continue
        existing = Target.objects.filter(programme=target.programme_id, phase=target.phase_id, unit=new).first()
        if existing is not None:
            Target.objects.filter(pk=existing.pk).update(value=F("value") + target.value)
            target.delete()
        else:
            target.unit = new
            target.save(update_fields=["unit"])
        log_action(actor=actor, action="target.followed_unit", obj=target.programme, unit=new, from_unit=old.code,
                   value=target.value, added=existing is not None)
        items.append(FollowItem("target", label, old.name, new.name))
    return items

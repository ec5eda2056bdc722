"""Pending reviews follow a unit through a reorganisation (issue 11; hook of ``units.reorganisation``).

An initiative of an open programme still waiting for a decision (submitted
or returned) on a moved, renamed or merged unit is handed to the successor,
whose officers review it now.  On a split or a dissolution it is listed for
reassignment.  Decided initiatives and those of programmes that have ended
never move: they count where they counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sangkien.core.clock import now
from sangkien.core.models import log_action
from sangkien.initiatives.models import Initiative, Status
from sangkien.units.models import Unit
from sangkien.units.reorganisation import FollowItem

if TYPE_CHECKING:
    from sangkien.accounts.models import User

FOLLOWING_KINDS = frozenset({"move", "rename", "merge"})
PENDING = (Status.SUBMITTED, Status.RETURNED)


def follow_pending_reviews(old: Unit, new: Unit | None, kind: str, actor: User) -> list[FollowItem]:
    """Hand ``old``'s pending initiatives of open programmes to ``new``; list them otherwise."""
    pending = (Initiative.objects.filter(unit=old, status__in=PENDING, programme__phases__submission_end__gt=now())
               .distinct().order_by("pk"))
    items = []
    for initiative in pending:
        label = f"{initiative.tracking_code} — {initiative.title}"[:200]
        if new is None or kind not in FOLLOWING_KINDS:
            items.append(FollowItem("review", label, old.name, ""))
            continue
        # updated_at too: the dashboards' roll-ups recount what changed since their last refresh.
        Initiative.objects.filter(pk=initiative.pk).update(unit=new, updated_at=now())
        log_action(actor=actor, action="initiative.followed_unit", obj=initiative, unit=new, from_unit=old.code)
        items.append(FollowItem("review", label, old.name, new.name))
    return items

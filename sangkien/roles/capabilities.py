"""Which role may do what: the one role → capability mapping (docs/roles.md).

Every permission (the apps' ``rules.py``), every ``restrict_*`` queryset (the
apps' ``access.py``), the officer home page's links and the grant service ask
this table which roles carry a capability; nothing else lists roles by name.
A capability is held over the unit the role is held on and its whole subtree
(:mod:`sangkien.roles.scope`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sangkien.roles.models import Role


class Capability(StrEnum):
    """What a role allows, over its unit's subtree."""

    #: Open the unit's initiatives and officer pages: the review queue, the dashboard's
    #: officer tools, the poster, masked exports, the duplicate report.
    SEE = "see"
    #: Decide on initiatives; export phones and e-mails unmasked; mark duplicates;
    #: release a held submission of the level below.
    REVIEW = "review"
    #: Enter initiatives on a member's behalf, one by one or by importing a file.
    ENTER = "enter"
    #: Grant and revoke roles, set targets, read the import and export log.
    ADMINISTER = "administer"
    #: Confirm or refuse a held import of the level below (never one's own upload).
    CONFIRM_HOLD = "confirm_hold"
    #: Appoint an organising committee (a national unit only).
    APPOINT_COMMITTEE = "appoint_committee"


#: The mapping (source: docs/roles.md, "Roles").  The organising committee acts in
#: every role over the whole tree.
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ORGANISING_COMMITTEE: frozenset(Capability),
    Role.UNIT_ADMIN: frozenset({Capability.SEE, Capability.ENTER, Capability.ADMINISTER, Capability.CONFIRM_HOLD}),
    Role.REVIEWER: frozenset({Capability.SEE, Capability.REVIEW, Capability.CONFIRM_HOLD}),
    Role.SUPPORT_TEAM: frozenset({Capability.SEE, Capability.ENTER, Capability.CONFIRM_HOLD}),
}

#: Granting one of these roles needs the capability named (the others need ``ADMINISTER``
#: over the unit, checked by ``roles.grant``).
GRANT_NEEDS: dict[str, Capability] = {Role.ORGANISING_COMMITTEE: Capability.APPOINT_COMMITTEE}


def roles_with(capability: Capability) -> frozenset[str]:
    """The roles (``Role`` values) that carry ``capability``."""
    return frozenset(role for role, held in CAPABILITIES.items() if capability in held)


def capabilities_of(roles: Iterable[str]) -> frozenset[Capability]:
    """Every capability carried by one of ``roles`` (``Role`` values); unknown roles carry none."""
    found: set[Capability] = set()
    for role in roles:
        found |= CAPABILITIES.get(role, frozenset())
    return frozenset(found)


def grantable_roles() -> list[str]:
    """The roles a unit administrator grants on the roles page (``Role`` values, in
    ``Role`` order): those whose grant needs no capability beyond ``ADMINISTER``."""
    return [role.value for role in Role if role not in GRANT_NEEDS]

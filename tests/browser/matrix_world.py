"""The world the browser test matrix walks: a small tree, two programmes, every status.

Everything a page may show as *user data* (unit, programme, people, titles,
reasons, file names, the consent notice) is ASCII-only, so any Vietnamese
letter on an English page is interface text that was not translated.

Layout (``in`` = inside every officer role's scope, ``out`` = another province)::

    National (root: the organising committee)
    ├── Province One (P1: the provincial administrator)
    │   └── District One (D1: the district reviewer)
    │       └── Grassroots One (G1: support team, grassroots administrator;
    │                          the member's own initiatives)
    └── Province Two (P2)
        └── District Two (D2)
            └── Grassroots Two (G2: another member's initiatives, an import
                               and an export by an officer of Province Two)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile

from sangkien.accounts.models import ConsentVersion, User
from sangkien.core.clock import now
from sangkien.imports.models import ExportRecord, ExportStatus, ImportJob, JobStatus
from sangkien.initiatives.models import Attachment, Initiative, Status
from sangkien.programmes.models import Field, Phase, Programme, Target
from sangkien.roles.models import Role
from sangkien.units.models import Unit, UnitKind
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant, make_unit

#: The seven roles of the matrix, in the order the tests run them.
ROLES = ("anonymous", "member", "support_team", "grassroots_admin", "district_reviewer",
         "provincial_admin", "organising_committee")


@dataclass
class Side:
    """The objects of one side of the tree: ``in`` (Grassroots One) or ``out`` (Grassroots Two)."""

    unit: Unit
    submitted: Initiative
    approved: Initiative
    returned: Initiative
    rejected: Initiative
    duplicate: Initiative
    attachment: Attachment
    import_job: ImportJob
    export_record: ExportRecord


@dataclass
class MatrixWorld:
    """What :func:`build_world` made; ``users`` maps a role of :data:`ROLES` to its user (None: anonymous)."""

    root: Unit
    province: Unit
    district: Unit
    other_province: Unit
    open_programme: Programme
    closed_programme: Programme
    open_phase: Phase
    inside: Side
    outside: Side
    users: dict[str, User | None] = field(default_factory=dict)

    def side(self, name: str) -> Side:
        """``"in"`` → :attr:`inside`, ``"out"`` → :attr:`outside`."""
        return {"in": self.inside, "out": self.outside}[name]


def _initiatives(unit: Unit, phase: Phase, author: User, prefix: str) -> dict[str, Initiative]:
    """One initiative in each status, plus one marked as a duplicate of the approved one."""
    person = PersonFactory(full_name=f"{author.full_name}", phone="", email=author.email, user=author)
    made: dict[str, Initiative] = {}
    for number, status in enumerate(("submitted", "approved", "returned", "rejected", "duplicate"), 1):
        made[status] = InitiativeFactory(
            phase=phase, unit=unit, author=person, submitted_by=author,
            title=f"{prefix} initiative {number}: better {status} paperwork",
            description="<p>A plain description of the improvement.</p>",
            effect_summary="Saves two hours a week.",
            status=Status.SUBMITTED if status == "duplicate" else status,
            status_reason="" if status in {"submitted", "approved", "duplicate"} else "Please add the costs.",
            submitted_at=now() - dt.timedelta(days=2, hours=number),
        )
    duplicate = made["duplicate"]
    duplicate.duplicate_of = made["approved"]
    duplicate.duplicate_reason = "Same as the approved one."
    duplicate.save(update_fields=["duplicate_of", "duplicate_reason"])
    return made


def _side(unit: Unit, programme: Programme, phase: Phase, author: User, officer: User, prefix: str) -> Side:
    made = _initiatives(unit, phase, author, prefix)
    attachment = Attachment.objects.create(
        initiative=made["submitted"], file=ContentFile(b"%PDF-1.4\n% matrix\n", name="plan.pdf"),
        original_name="plan.pdf", size=18)
    content = b"title,unit\nSample,G\n"
    job = ImportJob.objects.create(
        programme=programme, phase=phase, unit=unit, created_by=officer,
        file=ContentFile(content, name="list.csv"), original_name="list.csv", file_format="csv",
        file_size=len(content), file_sha256=hashlib.sha256(content + prefix.encode()).hexdigest(),
        status=JobStatus.SAVED, mode="valid", rows_total=1, rows_valid=1, rows_saved=1,
        finished_at=now(), result_file=ContentFile(content, name="result.csv"))
    record = ExportRecord.objects.create(
        user=officer, unit=unit, programme=programme, kind="initiatives", file_format="csv", rows=5,
        status=ExportStatus.DONE, finished_at=now(), file=ContentFile(content, name="export.csv"))
    return Side(unit=unit, attachment=attachment, import_job=job, export_record=record, **made)


def build_world() -> MatrixWorld:
    """Create the matrix world in the database (committed: the live server reads it).

    Phases are open or closed at the real current time: sessions and cookies in
    the browser need real time, so the clock is not frozen.
    """
    ConsentVersion.objects.create(version=1, text="We keep your name and phone to count your initiatives.")
    root = make_unit(code="TLD", name="National Confederation", kind=UnitKind.NATIONAL)
    p1 = make_unit(root, code="37", name="Province One", kind=UnitKind.PROVINCIAL_FEDERATION)
    d1 = make_unit(p1, code="375", name="District One", kind=UnitKind.DISTRICT_FEDERATION)
    g1 = make_unit(d1, code="375-0001", name="Grassroots One", member_count=40)
    p2 = make_unit(root, code="24", name="Province Two", kind=UnitKind.PROVINCIAL_FEDERATION)
    d2 = make_unit(p2, code="213", name="District Two", kind=UnitKind.DISTRICT_FEDERATION)
    g2 = make_unit(d2, code="213-0001", name="Grassroots Two", member_count=30)
    for unit in (root, p1, d1, g1, p2, d2, g2):
        unit.refresh_from_db()

    current = now()
    Field.objects.create(code="production", name="Production", position=1)
    open_programme = Programme.objects.create(slug="open-2026", name="Open Programme 2026", organiser=root,
                                              description="Send your ideas.")
    open_phase = Phase.objects.create(programme=open_programme, number=1, name="Phase one",
                                      submission_start=current - dt.timedelta(days=10),
                                      submission_end=current + dt.timedelta(days=30))
    closed_programme = Programme.objects.create(slug="closed-2021", name="Closed Programme 2021",
                                                organiser=root)
    Phase.objects.create(programme=closed_programme, number=1, name="Phase one",
                         submission_start=current - dt.timedelta(days=400),
                         submission_end=current - dt.timedelta(days=300))
    for unit, value in ((p1, 100), (d1, 50), (g1, 10), (p2, 80)):
        Target.objects.create(programme=open_programme, phase=open_phase, unit=unit, value=value)

    def user(name: str, email: str, role: str | None = None, unit: Unit | None = None) -> User:
        made = UserFactory(full_name=name, email=email, username=email.split("@")[0])
        if role:
            grant(made, unit, role)
        return made

    users: dict[str, Any] = {
        "anonymous": None,
        "member": user("Member Ann", "member@example.org"),
        "support_team": user("Support Sam", "support@example.org", Role.SUPPORT_TEAM, g1),
        "grassroots_admin": user("Admin Grace", "grassroots@example.org", Role.UNIT_ADMIN, g1),
        "district_reviewer": user("Reviewer Dan", "reviewer@example.org", Role.REVIEWER, d1),
        "provincial_admin": user("Admin Paul", "province@example.org", Role.UNIT_ADMIN, p1),
        "organising_committee": user("Committee Carol", "committee@example.org",
                                     Role.ORGANISING_COMMITTEE, root),
    }
    other_member = user("Member Otto", "other@example.org")
    other_officer = user("Admin Olga", "olga@example.org", Role.UNIT_ADMIN, p2)
    inside = _side(g1, open_programme, open_phase, users["member"], users["provincial_admin"], "Inside")
    outside = _side(g2, open_programme, open_phase, other_member, other_officer, "Outside")
    return MatrixWorld(root=root, province=p1, district=d1, other_province=p2,
                       open_programme=open_programme, closed_programme=closed_programme,
                       open_phase=open_phase, inside=inside, outside=outside, users=users)

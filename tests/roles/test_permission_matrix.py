"""Every permission and the main officer pages, tried by every role inside and outside the
unit's scope, by the anonymous visitor and by a member (tests/permissions.py; docs/roles.md).

The subject is CĐCS 375-0001 (``g11``) and what hangs on it; "inside" roles are held on its
district (``d1``, the level above: what the hold rules look at), "outside" roles on the
other province's district (``d2``).  The ``restrict_*`` querysets of the access modules must
give the same answer as the permissions.
"""

import pytest
from django.urls import reverse

from sangkien.imports.access import restrict_jobs
from sangkien.imports.models import ImportJob, JobStatus
from sangkien.initiatives.access import restrict_initiatives
from sangkien.roles.access import restrict_assignments, restrict_units
from sangkien.roles.models import Role, RoleAssignment
from tests.factories import InitiativeFactory, UserFactory
from tests.permissions import assert_allowed, page_check, people, permission_check, restrict_check

pytestmark = pytest.mark.django_db

OC, UA, RV, ST = Role.ORGANISING_COMMITTEE, Role.UNIT_ADMIN, Role.REVIEWER, Role.SUPPORT_TEAM
EVERY = {OC, UA, RV, ST}
REVIEWERS = {OC, RV}
ENTERERS = {OC, UA, ST}
ADMINS = {OC, UA}

#: permission → (object: "unit", "initiative" or "job" of g11; roles allowed inside).  Outside the
#: scope nobody is allowed; the anonymous visitor and a member never are.
PERMISSIONS = {
    "initiatives.view_initiative": ("initiative", EVERY),
    "initiatives.view_personal_data": ("initiative", EVERY),
    "initiatives.edit_returned": ("initiative", set()),  # the submitter only
    "initiatives.review": ("initiative", REVIEWERS),
    "initiatives.enter_on_behalf": ("unit", ENTERERS),
    "initiatives.list_unit": ("unit", EVERY),
    "initiatives.release_hold": ("initiative", REVIEWERS),  # a reviewer of the level above
    "reports.view_officer_dashboard": ("unit", EVERY),
    "units.print_poster": ("unit", EVERY),
    "units.manage": ("unit", ADMINS),
    # g11 is a grassroots union: plans are applied from a province or the national unit
    # (allowed there: tests/units/test_reorganise_page.py)
    "units.reorganise": ("unit", set()),
    "roles.grant": ("unit", ADMINS),
    "imports.import_initiatives": ("unit", ENTERERS),
    "imports.export": ("unit", EVERY),
    "imports.export_personal_data": ("unit", REVIEWERS),
    "imports.view_log": ("unit", ADMINS),
    "imports.confirm_held": ("job", EVERY),  # review or import rights over the level above
    "duplicates.mark": ("initiative", REVIEWERS),
    "duplicates.view_report": ("unit", EVERY),
}


@pytest.fixture
def world(tree, phase):
    unit = tree["g11"]
    initiative = InitiativeFactory(phase=phase, unit=unit, title="Sáng kiến của CĐCS 375-0001")
    job = ImportJob(programme=phase.programme, phase=phase, unit=unit, created_by=UserFactory(),
                    status=JobStatus.HELD)
    return {"unit": unit, "initiative": initiative, "job": job, "programme": phase.programme,
            "cast": people(inside=tree["d1"], outside=tree["d2"])}


def test_every_permission_is_in_the_table():
    import rules

    declared = set(rules.permissions.permissions)
    assert declared == set(PERMISSIONS)


@pytest.mark.parametrize("perm", list(PERMISSIONS))
def test_permission(world, perm):
    kind, inside = PERMISSIONS[perm]
    assert_allowed(world["cast"], permission_check(perm, world[kind]), inside=inside)


def test_the_uploader_never_confirms_their_own_held_import(world):
    uploader = world["cast"].users[f"{UA}@inside"]
    world["job"].created_by = uploader
    assert not uploader.has_perm("imports.confirm_held", world["job"])


def test_holds_are_decided_above_not_at_the_unit_itself(tree, world):
    """The "inside" roles of the other tests sit on the level above; on the unit itself they
    do not release or confirm (issue 9 item 8), though they see and review."""
    cast = people(inside=tree["g11"], outside=tree["g21"])
    assert_allowed(cast, permission_check("initiatives.release_hold", world["initiative"]))
    assert_allowed(cast, permission_check("imports.confirm_held", world["job"]))
    assert_allowed(cast, permission_check("initiatives.review", world["initiative"]), inside=REVIEWERS)


PAGES = {  # name → (url, roles allowed inside)
    "initiative": (lambda w: reverse("initiatives:detail", args=[w["initiative"].tracking_code]), EVERY),
    "similar": (lambda w: reverse("duplicates:matches", args=[w["initiative"].tracking_code]), EVERY),
    "queue of the unit": (lambda w: reverse("review:queue", args=[w["programme"].slug])
                          + f"?don-vi={w['unit'].code}", EVERY),
    "enter on behalf": (lambda w: reverse("review:enter", args=[w["unit"].code, w["programme"].slug]),
                        ENTERERS),
    "poster": (lambda w: reverse("units:poster", args=[w["unit"].code]), EVERY),
    "roles": (lambda w: reverse("roles:manage", args=[w["unit"].code]), ADMINS),
    "targets": (lambda w: reverse("programmes:targets", args=[w["unit"].code, w["programme"].slug]), ADMINS),
    "import": (lambda w: reverse("imports:upload", args=[w["unit"].code, w["programme"].slug]), ENTERERS),
    "export": (lambda w: reverse("reports:export", args=[w["programme"].slug, w["unit"].code]), EVERY),
    "import and export log": (lambda w: reverse("imports:log", args=[w["unit"].code]), ADMINS),
    "duplicate report": (lambda w: reverse("duplicates:report", args=[w["programme"].slug])
                         + f"?don-vi={w['unit'].code}", EVERY),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page(client, world, page):
    url, inside = PAGES[page]
    assert_allowed(world["cast"], page_check(client, url(world)), inside=inside)


def test_review_decision(client, world):
    """POST a decision: a reviewer over the unit is answered with a redirect (the decision is
    recorded by the first; the others are told it is already decided); everyone else refused."""
    url = reverse("review:review", args=[world["initiative"].tracking_code])
    assert_allowed(world["cast"], page_check(client, url, method="post", allowed_status=(302,),
                                             data={"decision": "approved", "reason": "Đạt"}), inside=REVIEWERS)


@pytest.mark.parametrize(("action", "inside"), [("view", EVERY), ("list", EVERY), ("review", REVIEWERS)])
def test_restrict_initiatives(world, action, inside):
    assert_allowed(world["cast"], restrict_check(restrict_initiatives, action, world["initiative"]), inside=inside)


@pytest.mark.parametrize(("action", "inside"), [("view", EVERY), ("review", REVIEWERS), ("enter", ENTERERS),
                                                ("manage", ADMINS)])
def test_restrict_units(world, action, inside):
    assert_allowed(world["cast"], restrict_check(restrict_units, action, world["unit"]), inside=inside)


def test_restrict_assignments(world):
    assignment = RoleAssignment.objects.create(user=UserFactory(), unit=world["unit"], role=RV)
    assert_allowed(world["cast"], restrict_check(restrict_assignments, "grant", assignment), inside=ADMINS)


@pytest.mark.parametrize(("action", "inside"), [("import", ENTERERS), ("log", ADMINS), ("confirm_held", EVERY)])
def test_restrict_jobs(world, action, inside):
    job = world["job"]
    job.file_size, job.file_sha256, job.original_name, job.file_format = 1, "0" * 64, "a.csv", "csv"
    job.save()
    assert_allowed(world["cast"], restrict_check(restrict_jobs, action, job), inside=inside)


def test_the_submitter_sees_and_edits_their_own(world):
    member = world["cast"].users["member"]
    initiative = world["initiative"]
    initiative.submitted_by = member
    for perm in ("initiatives.view_initiative", "initiatives.view_personal_data", "initiatives.edit_returned"):
        assert member.has_perm(perm, initiative)
    assert not member.has_perm("initiatives.review", initiative)
    initiative.save()
    assert restrict_initiatives(member, "view").filter(pk=initiative.pk).exists()
    assert not restrict_initiatives(member, "list").filter(pk=initiative.pk).exists()

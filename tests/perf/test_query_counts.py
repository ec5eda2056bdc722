"""Query-count baselines for the hot pages: exact counts (a page that needs one
query more or less must say so here), the same on SQLite and PostgreSQL, and
not growing with the number of units or initiatives shown (no N+1)."""

import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db


#: Queries per request, identical on SQLite and PostgreSQL.  Where a count legitimately
#: differs between the two, give it a ``{"sqlite": n, "postgresql": m}`` entry, not slack.
BASELINES = {
    # + the programme's day (its phases: codes name units of the programme's own tree) and whether
    # the tree changed since (the "regroup on today's tree" switch), issue 11
    "dashboard": 13,
    # Round 14: 9 → 10 and 8 → 9 for an officer at the root — whether it is the only root
    # (units.models.is_only_root), which lets the counts and the list go without a join to the units
    # (at a quarter of the national corpus the queue took 0.54 s, now 0.09 s on SQLite)
    "review queue": 10,
    "review queue, filtered": 9,
    # 7 + the held imports the officer may confirm (issue 9 item 8); round 14: + the uncounted ones
    # counted apart, from their own index, so that no initiative's row is read (1.50 s → 0.06 s for
    # the national officer at a quarter of the national corpus on SQLite)
    "officer home": 9,
    # issue 12: 17 → 14, the preselected unit's lineage (one query) serves the chooser's levels;
    # 14 → 13, the open phase read with its programme (then programmes.models.open_programme).
    # Round 7: 13 → 14 on a process's first page only — the programme and all its phases are read
    # (two statements) and kept for the next pages and POSTs (form_page.kept_open_programme)
    "submission form": 14,
    # issue 12: the same form again (another member, same QR link): the unit chooser and the field
    # list come with the kept part of the page (initiatives/form_page.py) — session, user,
    # consent, the member's person and roles are left (round 7: 6 → 5, the programme and its
    # phases kept too; round 12: the whole page kept, the roles read for its key, once)
    "submission form, kept part": 5,
    # + the exact-text claim (one INSERT), the participation consent, and the plausibility
    # check (three counts of the unit's own figures) since issue 9.  Issue 12: 40 → 22 — the unit
    # chain in one query (was 4), the phase read once, no token SELECT or tracking-code exists()
    # (the unique constraints guard them), the member's person in one upsert, the authorships in
    # one INSERT, no drop of held files when none were held; the duplicate fingerprint in one
    # upsert, not update_or_create (two savepoints and their releases, SELECT … FOR UPDATE, INSERT).
    # Round 4: 22 → 19 — the phase with its programme, the national root with the chosen units,
    # and the plausibility check's "anyone new?" and the unit's participants in one count.
    # Round 7: 19 → 17 — the programme and its phases kept (form_page.kept_open_programme), the
    # plausibility check's day count and participants in one hand-written statement.
    "submission post": 17,
}


def assert_baseline(queries, name):
    """``queries`` (SQL strings) number exactly ``BASELINES[name]``; else list them."""
    expected = BASELINES[name]
    if isinstance(expected, dict):
        expected = expected[connection.vendor]
    assert len(queries) == expected, "\n".join(
        [f"{name}: {len(queries)} queries, baseline {expected}:", *(f"{n}. {sql}" for n, sql in enumerate(queries, 1))])


def count(client, method, url, data=None):
    """The SQL of the queries one request makes."""
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return [q["sql"] for q in ctx.captured_queries]


def grow(tree, phase, n):
    """Add ``n`` grassroots unions with an initiative each under each district."""
    for district in (tree["d1"], tree["d2"]):
        for _ in range(n):
            unit = make_unit(district)
            InitiativeFactory(phase=phase, unit=unit)


def test_dashboard_queries_do_not_grow_with_units(client, tree, phase):
    url = reverse("reports:dashboard", args=[phase.programme.slug, tree["d1"].code])
    grow(tree, phase, 2)
    small = count(client, "get", url)
    assert_baseline(small, "dashboard")
    grow(tree, phase, 20)
    assert_baseline(count(client, "get", url), "dashboard")


def test_review_queue_queries_do_not_grow_with_initiatives(client, tree, phase):
    reviewer = UserFactory()
    grant(reviewer, tree["root"], Role.REVIEWER)
    client.force_login(reviewer)
    url = reverse("review:queue", args=[phase.programme.slug])
    filtered = url + "?q=cai&tu-ngay=01/03/2021&loi-tu=1+tri%E1%BB%87u&sap-xep=loi-nhieu&trang-thai=tat-ca"
    grow(tree, phase, 2)
    assert_baseline(count(client, "get", url), "review queue")
    assert_baseline(count(client, "get", filtered), "review queue, filtered")
    grow(tree, phase, 10)
    assert_baseline(count(client, "get", url), "review queue")
    assert_baseline(count(client, "get", filtered), "review queue, filtered")


def test_officer_home_queries_do_not_grow_with_programmes_or_initiatives(client, tree, phase):
    from tests.factories import ProgrammeFactory

    reviewer = UserFactory()
    grant(reviewer, tree["d1"], Role.REVIEWER)
    grant(reviewer, tree["d2"], Role.UNIT_ADMIN)
    client.force_login(reviewer)
    url = reverse("review:home")
    grow(tree, phase, 2)
    assert_baseline(count(client, "get", url), "officer home")
    grow(tree, phase, 10)
    for _ in range(3):
        ProgrammeFactory(organiser=tree["root"])
    assert_baseline(count(client, "get", url), "officer home")


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_submission_form_and_post_are_bounded(client, tree, phase):
    member = UserFactory()
    client.force_login(member)
    url = reverse("initiatives:submit", args=[phase.programme.slug])
    assert_baseline(count(client, "get", url + f"?don-vi={tree['g11'].code}"), "submission form")
    client.force_login(UserFactory())
    assert_baseline(count(client, "get", url + f"?don-vi={tree['g11'].code}"), "submission form, kept part")
    client.force_login(member)
    data = {"author_full_name": "A", "author_phone": "0912345678", "sector_block": "public",
            "title": "Sáng kiến đo số truy vấn", "description": "Mô tả giải pháp",
            "unit_1": tree["p1"].code, "unit_2": tree["d1"].code, "unit_3": tree["g11"].code,
            "submission_token": uuid.uuid4().hex}
    assert_baseline(count(client, "post", url, data), "submission post")

"""Issue 12, round 14: a role at the only root reaches every initiative without a join to the units.

A national officer's scope was sent as ``unit.path LIKE '0001%'``: every initiative of the
programme joined to its unit to test a path that every unit has. At a quarter of the national
corpus (473,144 initiatives, SQLite) the officer home took 1.50 s and the national review queue
0.54 s (docs/benchmarks.md, "Officers' pages on the national corpus"). Now a role at the only root
is no filter at all, and the home counts from two indexes. These tests pin the figures, the
statements and their plans, and above all that a root's officer still reaches nothing of another
root.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sangkien.core.clock import now
from sangkien.initiatives.access import restrict_initiatives
from sangkien.initiatives.models import Initiative, InitiativeQuerySet, Status
from sangkien.roles.models import Role
from sangkien.units.models import UnitKind, is_only_root
from tests.factories import InitiativeFactory, UserFactory, grant, make_unit
from tests.initiatives.htmltools import tags
from tests.plans import query_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, phase):
    """Eight initiatives over both provinces: 2 approved, 1 rejected, 3 waiting, 1 held (waiting),
    1 marked duplicate (approved)."""
    made = {
        "a1": InitiativeFactory(phase=phase, unit=tree["g11"], status=Status.APPROVED),
        "a2": InitiativeFactory(phase=phase, unit=tree["g21"], status=Status.APPROVED),
        "r1": InitiativeFactory(phase=phase, unit=tree["g12"], status=Status.REJECTED),
        "w1": InitiativeFactory(phase=phase, unit=tree["g11"]),
        "w2": InitiativeFactory(phase=phase, unit=tree["g22"]),
        "w3": InitiativeFactory(phase=phase, unit=tree["p2"]),
        "held": InitiativeFactory(phase=phase, unit=tree["g22"], held_at=now()),
    }
    made["dup"] = InitiativeFactory(phase=phase, unit=tree["g12"], status=Status.APPROVED, duplicate_of=made["a1"])
    return made


def _officer(unit):
    user = UserFactory()
    grant(user, unit, Role.REVIEWER)
    return user


def _home_figures(client, user, programme):
    """(received, approved, waiting) on ``user``'s officer home for ``programme``."""
    client.force_login(user)
    html = client.get(reverse("review:home")).content.decode()
    line = next(part for part in html.split('data-testid="programme-line"')[1:] if programme.name in part)
    return tuple(a.split(">")[-1] for a in line.split("</a>")[:3])


def _expected(qs):
    counted = qs.filter(InitiativeQuerySet.counted_filter())
    return (str(counted.count()), str(counted.filter(status=Status.APPROVED).count()),
            str(qs.filter(status=Status.SUBMITTED).count()))


def test_the_home_counts_the_counted_and_every_waiting_one_at_each_level(client, tree, phase, world):
    """Received and approved leave the held and the duplicate out; waiting is the queue's tab: every
    initiative still to decide, the held one too."""
    programme = phase.programme
    assert is_only_root(tree["root"].path)
    national, province, district = _officer(tree["root"]), _officer(tree["p2"]), _officer(tree["d1"])
    assert _home_figures(client, national, programme) == ("6", "2", "4")
    assert _home_figures(client, province, programme) == ("3", "1", "3")  # a2, w2, w3; held waits too
    assert _home_figures(client, district, programme) == ("3", "1", "1")  # a1, r1, w1
    for user in (national, province, district):  # the same as counting rows one by one
        client.force_login(user)
        assert _home_figures(client, user, programme) == _expected(restrict_initiatives(user, "list"))


def test_a_national_officers_counts_and_queue_send_no_join_to_the_units(client, tree, phase, world):
    national = _officer(tree["root"])
    client.force_login(national)
    for url in (reverse("review:home"),
                reverse("review:queue", args=[phase.programme.slug]) + f"?don-vi={tree['root'].code}&trang-thai=tat-ca"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts = [q["sql"] for q in ctx.captured_queries
                  if 'FROM "initiatives_initiative"' in q["sql"] and "COUNT(" in q["sql"]]
        assert counts and not [sql for sql in counts if "units_unit" in sql], counts
        for sql in counts:  # each reads an index alone, or the few uncounted rows through theirs
            plan = query_plan(sql, index_only=True)
            alone = "COVERING INDEX" if connection.vendor == "sqlite" else "Index Only Scan"
            assert alone in plan or ("IS NOT NULL" in sql and "initiative_uncounted" in plan), (sql, plan)
    html = client.get(reverse("review:queue", args=[phase.programme.slug]),
                      {"don-vi": tree["root"].code, "trang-thai": "tat-ca"}).content.decode()
    listed = {a["href"] for a in tags(html, "a") if a["href"].startswith("/sang-kien/SK-")}
    assert listed == {reverse("initiatives:detail", args=[i.tracking_code]) for i in world.values()}


def test_a_role_at_one_root_reaches_nothing_under_another(client, tree, phase, world):
    national = _officer(tree["root"])
    other_root = make_unit(code="XX", name="Một cây đơn vị khác", kind=UnitKind.NATIONAL)
    beyond = make_unit(other_root, code="XX-0001", name="CĐCS ngoài cây TLĐ")
    far = InitiativeFactory(phase=phase, unit=beyond, status=Status.APPROVED)
    assert not is_only_root(tree["root"].path) and not is_only_root(tree["p1"].path)
    assert far not in restrict_initiatives(national, "list")
    assert set(restrict_initiatives(national, "list")) == set(world.values())
    assert _home_figures(client, national, phase.programme) == ("6", "2", "4")
    html = client.get(reverse("review:queue", args=[phase.programme.slug]),
                      {"don-vi": tree["root"].code, "trang-thai": "tat-ca"}).content.decode()
    assert far.tracking_code not in html and world["a1"].tracking_code in html
    assert Initiative.objects.in_subtree(tree["root"]).filter(pk=far.pk).count() == 0
    # and the other root's own officer sees it, and only it
    assert list(restrict_initiatives(_officer(other_root), "list")) == [far]


def test_the_uncounted_are_counted_from_their_partial_index_alone(tree, phase, world):
    """The officer home's count of the uncounted (``review.views._programme_lines``) goes through the
    partial index; on PostgreSQL it reads the index alone (SQLite reads the few rows it lists, to test
    the index's condition again)."""
    sql, params = (Initiative.objects.filter(programme=phase.programme).filter(InitiativeQuerySet.uncounted_filter())
                   .order_by().values_list("programme_id", "status").annotate(n=Count("*")).query.sql_with_params())
    used = "USING INDEX initiative_uncounted" if connection.vendor == "sqlite" else \
        "Index Only Scan using initiative_uncounted"
    assert used in query_plan(sql, params, index_only=True)

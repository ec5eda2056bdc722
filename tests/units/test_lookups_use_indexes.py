"""Issue 12, rounds 7 and 8: a submission's unit look-ups, and the chooser's, descend indexes; none
reads every unit.

The POST resolves the chosen units with the national root in one query
(``units.chooser.resolve_choice``) and several pages find the first root
(``Unit.objects.get_first_root_node``). Both asked for "depth = 1", which no index serves: on
~140,000 units, the national size, 15 and 9 ms of PostgreSQL per call, and on SQLite the POST
took 18.4 ms instead of 4.8 (docs/benchmarks.md, "Submission cost (issue 12)"). Both now find
the root as the unit with the smallest path. The plans are asked of the database with the
statements the code sends, on a tree of 5,000 more grassroots unions: on PostgreSQL the planner
then chooses as it does at the national size (on the fixture's few units reading them all in
path order is cheapest, and was chosen in CI), and the statements run (``EXPLAIN ANALYZE``) to
count the rows read only to be dropped.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from benchmarks.submit_cost import more_grassroots
from sangkien.initiatives.models import Initiative
from sangkien.units.chooser import build_levels, children_options, resolve_choice
from sangkien.units.models import Unit
from tests.plans import query_plan

pytestmark = pytest.mark.django_db

#: Grassroots unions added beside the fixture's tree.
MORE = 5_000


def _dropped(sql: str) -> tuple[str, int]:
    """PostgreSQL: the plan of running ``sql`` and the rows its filters read and dropped."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}")
        plan = " | ".join(row[0] for row in cursor.fetchall())
    return plan, sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", plan))


def _statements(call):
    with CaptureQueriesContext(connection) as ctx:
        answer = call()
    return answer, [query["sql"] for query in ctx.captured_queries]


def test_the_unit_chain_and_the_first_root_are_read_through_indexes(tree):
    more_grassroots(tree["d2"], MORE)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE units_unit")
    (unit, unlisted, error), chain = _statements(
        lambda: resolve_choice(None, [tree["p1"].code, tree["d1"].code, tree["g11"].code]))
    assert (unit, unlisted, error) == (tree["g11"], False, "")
    Unit.objects.add_root({"code": "ZZ", "name": "Một gốc thứ hai", "kind": tree["root"].kind})  # sorts after the first
    root, first_root = _statements(Unit.objects.get_first_root_node)
    assert root == tree["root"] == Unit.objects.get_root_nodes().first()  # treebeard's own answer
    assert len(chain) == 1 and len(first_root) == 1
    if connection.vendor == "sqlite":
        chain_plan, root_plan = query_plan(chain[0]), query_plan(first_root[0])
        # each arm of the OR a search in an index (the first root's path: a sub-select stopped at one row)
        assert "MULTI-INDEX OR" in chain_plan and "SCAN units_unit" not in chain_plan, chain_plan
        # the path's index read from its first entry, one row, nothing filtered or sorted
        assert root_plan.startswith("SCAN units_unit USING INDEX") and "TEMP B-TREE" not in root_plan, root_plan
        assert " WHERE " not in first_root[0] and first_root[0].endswith("LIMIT 1"), first_root[0]
    else:
        for sql in (*chain, *first_root):
            plan, dropped = _dropped(sql)
            assert "Seq Scan" not in plan and dropped < 10, plan  # not the 5,000 units read to keep a few


def test_the_chooser_lists_and_checks_a_units_children_through_the_path_index(tree):
    """Round 8: the chooser's listing of a unit's children, its look-up of the child picked and the
    "has active children" check read the children's range of the path's index (treebeard's
    children interval), not every unit: on SQLite ``path LIKE 'p%'`` is served by no index (its
    LIKE ignores case), and a district's list took 7.8 ms at the national size."""
    more_grassroots(tree["d2"], MORE)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE units_unit")
    district = tree["d1"]
    (options, truncated), listing = _statements(lambda: children_options(district))
    assert (options, truncated) == ([(tree["g12"].code, tree["g12"].name), (tree["g11"].code, tree["g11"].name)], False)
    levels, picked = _statements(lambda: build_levels(district, [tree["g11"].code]))
    assert [level.unit for level in levels] == [tree["g11"]] and len(picked) == 2  # the listing, then the pick
    answer, check = _statements(lambda: resolve_choice(tree["p1"], [district.code]))
    assert answer == (None, False, gettext("Hãy chọn tiếp đơn vị cấp dưới, hoặc “Đơn vị của tôi không có trong danh sách”."))
    assert len(check) == 2  # the chain, then "has active children"
    for sql in (*listing, picked[1], check[1]):
        if connection.vendor == "sqlite":
            plan = query_plan(sql)
            assert "SCAN units_unit" not in plan and "SEARCH units_unit USING INDEX" in plan, plan
        else:
            plan, dropped = _dropped(sql)
            assert "Seq Scan" not in plan and dropped < 10, plan


def test_a_subtree_filter_selects_the_subtree_through_the_path_index(tree, phase):
    """Round 9: ``path__startswith`` (``Unit.subtree``, ``subtree_of``, the access scoping, counts by
    unit) is a range of the path's index on SQLite (``units.models.PathStartsWith``), where its
    case-blind ``LIKE`` read every unit — or started from the initiatives: a grassroots reviewer's
    home took 0.5 s at a quarter of the national corpus. It selects exactly the units whose path
    begins with the unit's, a unit below a grassroots union and a retired one included. A root's
    subtree (the whole tree) and PostgreSQL keep the ``LIKE`` (there, its pattern index serves it)."""
    from tests.factories import InitiativeFactory, make_unit

    more_grassroots(tree["d2"], MORE)
    below = make_unit(tree["g11"], code="375-0001-A", name="Tổ công đoàn A")
    Unit.objects.filter(pk=tree["g12"].pk).update(is_active=False, retired_on="2021-01-01")
    for unit in (*tree.values(), below):
        unit.refresh_from_db()
        wanted = {u.pk for u in Unit.objects.all().only("path") if u.path.startswith(unit.path)}
        assert set(unit.subtree().values_list("pk", flat=True)) == wanted, unit.code
    initiatives = [InitiativeFactory(phase=phase, unit=unit) for unit in (tree["g11"], below, tree["g21"])]
    (found, _), statements = _statements(lambda: (list(Initiative.objects.filter(
        unit__path__startswith=tree["d1"].path).order_by("pk")), None))
    assert found == initiatives[:2]
    if connection.vendor == "sqlite":
        plan = query_plan(*Unit.objects.subtree_of(tree["d1"]).query.sql_with_params())
        assert "SCAN units_unit" not in plan and "(path>? AND path<?)" in plan, plan
        assert " LIKE " not in statements[0] and " BETWEEN " in statements[0], statements[0]
        # a root's subtree is its whole tree: no range, the initiatives are read as before
        assert " LIKE " in str(Initiative.objects.filter(unit__path__startswith=tree["root"].path).query)
    else:
        assert " LIKE '000" in statements[0], statements[0]


def test_a_subtree_filter_by_an_expression_keeps_the_like(tree):
    """The range needs the prefix's value: a ``path__startswith`` whose right side is an expression (a
    sub-query's ``OuterRef``) is sent as the ``LIKE`` it was, and answers the same."""
    from django.db.models import Count, OuterRef, Subquery

    below = (Unit.objects.filter(path__startswith=OuterRef("path")).values("depth")
             .annotate(n=Count("pk")).order_by("depth").values("n")[:1])  # the unit's own depth: itself, 1
    with CaptureQueriesContext(connection) as ctx:
        counts = dict(Unit.objects.annotate(itself=Subquery(below)).values_list("code", "itself"))
    assert counts == {unit.code: 1 for unit in tree.values()}
    assert " LIKE " in ctx.captured_queries[0]["sql"], ctx.captured_queries[0]["sql"]

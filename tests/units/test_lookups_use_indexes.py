"""Issue 12, round 7: a submission's unit look-ups descend indexes; none reads every unit.

The POST resolves the chosen units with the national root in one query
(``units.chooser.resolve_choice``) and several pages find the first root
(``Unit.objects.get_first_root_node``). Both asked for "depth = 1", which no index serves: on
~140,000 units, the national size, 15 and 9 ms of PostgreSQL per call, and on SQLite the POST
took 18.4 ms instead of 4.8 (docs/benchmarks.md, "Submission cost (issue 12)"). Both now find
the root as the unit with the smallest path. The plans are asked of the database with the
statements the code sends; on PostgreSQL with sequential scans off, since a test's few units are
cheaper to scan than to look up.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangkien.units.chooser import resolve_choice
from sangkien.units.models import Unit
from tests.plans import query_plan

pytestmark = pytest.mark.django_db


def _statements(call):
    with CaptureQueriesContext(connection) as ctx:
        answer = call()
    return answer, [query["sql"] for query in ctx.captured_queries]


def test_the_unit_chain_and_the_first_root_are_read_through_indexes(tree):
    (unit, unlisted, error), chain = _statements(
        lambda: resolve_choice(None, [tree["p1"].code, tree["d1"].code, tree["g11"].code]))
    assert (unit, unlisted, error) == (tree["g11"], False, "")
    Unit.objects.add_root({"code": "ZZ", "name": "Một gốc thứ hai", "kind": tree["root"].kind})  # sorts after the first
    root, first_root = _statements(Unit.objects.get_first_root_node)
    assert root == tree["root"] == Unit.objects.get_root_nodes().first()  # treebeard's own answer
    assert len(chain) == 1 and len(first_root) == 1
    chain_plan, root_plan = query_plan(chain[0]), query_plan(first_root[0])
    if connection.vendor == "sqlite":
        # each arm of the OR a search in an index (the first root's path: a sub-select stopped at one row)
        assert "MULTI-INDEX OR" in chain_plan and "SCAN units_unit" not in chain_plan, chain_plan
        # the path's index read from its first entry, one row, nothing filtered or sorted
        assert root_plan.startswith("SCAN units_unit USING INDEX") and "TEMP B-TREE" not in root_plan, root_plan
        assert " WHERE " not in first_root[0] and first_root[0].endswith("LIMIT 1"), first_root[0]
    else:
        assert "BitmapOr" in chain_plan and "Seq Scan" not in chain_plan, chain_plan
        assert "Limit" in root_plan and "Seq Scan" not in root_plan and "Filter" not in root_plan, root_plan

"""Issue 12, round 7: a submission's unit look-ups descend indexes; none reads every unit.

The POST resolves the chosen units with the national root in one query ("depth = 1 OR code IN
…", ``units.chooser.resolve_choice``) and several pages find the first root
(``get_first_root_node``: "depth = 1"). Without an index on ``depth`` both scanned the whole
tree: on ~140,000 units, the national size, 15 and 9 ms of PostgreSQL per call, and on SQLite
the POST took 18.4 ms instead of 4.8 (docs/benchmarks.md, "Submission cost (issue 12)"). The
plans are asked of the database with the statements the code sends; on PostgreSQL with
sequential scans off, since a test's few units are cheaper to scan than to look up.
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
    root, first_root = _statements(Unit.objects.get_first_root_node)
    assert root == tree["root"]
    assert len(chain) == 1 and len(first_root) == 1
    for sql in (*chain, *first_root):
        plan = query_plan(sql)
        if connection.vendor == "sqlite":
            assert "SCAN units_unit" not in plan, plan  # SEARCH: a look-up in an index
            assert "units_unit_depth_idx" in plan, plan
        else:
            assert "Seq Scan" not in plan, plan
            assert "units_unit_depth_idx" in plan, plan

"""Migration 0005 fills each existing authorship's snapshot from its person, in one statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("initiatives", "0004_plausibility_hold")]
AFTER = [("initiatives", "0005_authorship_snapshot")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_authorships_get_their_persons_details(tree, phase):
    old = _migrate(BEFORE)
    try:
        Person = old.get_model("initiatives", "Person")
        Initiative = old.get_model("initiatives", "Initiative")
        Authorship = old.get_model("initiatives", "Authorship")
        people = [Person.objects.create(full_name=f"Người {n}", phone=f"+8491000000{n}", email=f"n{n}@example.vn",
                                        job="Kỹ sư", workplace=f"Nhà máy {n}") for n in range(3)]
        for n, person in enumerate(people):
            initiative = Initiative.objects.create(
                programme_id=phase.programme_id, phase_id=phase.pk, unit_id=tree["g11"].pk, sector_block="public",
                title=f"Sáng kiến {n}", description="<p>Mô tả</p>", tracking_code=f"SK-MIGR{n:04d}")
            Authorship.objects.create(initiative=initiative, person=person, position=0)
        with CaptureQueriesContext(connection) as queries:
            new = _migrate(AFTER)
        updates = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        assert len(updates) == 1  # set-based: one statement, not a loop over rows
        rows = new.get_model("initiatives", "Authorship").objects.order_by("person_id").values_list(
            "full_name", "phone", "email", "job", "workplace")
        assert list(rows) == [(p.full_name, p.phone, p.email, p.job, p.workplace) for p in people]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

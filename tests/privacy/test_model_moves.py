"""Issue 10 moved two models between apps without touching their tables: ``PersonClaim`` from
accounts to privacy, ``PersonalDataAccess`` from privacy to accesslog.  Rows written before the
move read the same after it; the content types (and so permissions and admin history) follow."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sangkien.accesslog.models import PersonalDataAccess
from sangkien.privacy.models import PersonClaim

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0003_purpose_consent"), ("privacy", "0001_access_log")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _content_type_ids(apps, pairs):
    types = apps.get_model("contenttypes", "ContentType").objects
    return {pair: types.filter(app_label=pair[0], model=pair[1]).values_list("pk", flat=True).first()
            for pair in pairs}


def test_rows_and_content_types_survive_the_move(people):
    member, reviewer, initiative = people["member"], people["reviewer"], people["initiative"]
    person = initiative.authorships.get().person
    old = _migrate(BEFORE)
    try:
        old_types = _content_type_ids(old, [("accounts", "personclaim"), ("privacy", "personaldataaccess")])
        assert all(old_types.values())  # the way back put them under their first apps
        claim = old.get_model("accounts", "PersonClaim").objects.create(
            user_id=member.pk, person_id=person.pk, decision="not_me")
        access = old.get_model("privacy", "PersonalDataAccess").objects.create(
            actor_id=reviewer.pk, kind="initiative_view", role="reviewer", initiative_id=initiative.pk,
            unit_id=initiative.unit_id, programme_id=initiative.programme_id, object_ref=initiative.tracking_code)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()
        assert PersonClaim._meta.db_table == "accounts_personclaim"
        assert PersonalDataAccess._meta.db_table == "privacy_personaldataaccess"
        moved = PersonClaim.objects.get(pk=claim.pk)
        assert (moved.user_id, moved.person_id, moved.decision) == (member.pk, person.pk, "not_me")
        assert list(member.person_claims.values_list("pk", flat=True)) == [claim.pk]
        logged = PersonalDataAccess.objects.get(pk=access.pk)
        assert (logged.actor_id, logged.kind, logged.initiative_id, logged.object_ref) == (
            reviewer.pk, "initiative_view", initiative.pk, initiative.tracking_code)
        assert ContentType.objects.get_for_model(PersonClaim).pk == old_types[("accounts", "personclaim")]
        assert ContentType.objects.get_for_model(PersonalDataAccess).pk == old_types[("privacy", "personaldataaccess")]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

"""Exact resubmission enforced by the database (issue 9 item 7): one claim per
author and normalised text in a programme, written with the initiative."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.duplicates import exact, services
from sangkien.duplicates.detector import Document
from sangkien.duplicates.models import ExactText
from sangkien.duplicates.services import ExactResubmission
from sangkien.initiatives.details import AuthorData, InitiativeDetails
from sangkien.initiatives.models import Initiative, Status
from sangkien.initiatives.services import resubmit_initiative, submit_initiative
from sangkien.roles.models import Role
from tests.duplicates.test_submit import form_data
from tests.duplicates.texts import DYEING_TITLE, dyeing_text
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant

ROOT = Path(__file__).resolve().parents[2]
OPEN = local_datetime(2021, 4, 5, 10)
DETAILS = InitiativeDetails(sector_block="enterprise", title=DYEING_TITLE, description=dyeing_text(),
                            benefit_vnd=1_500_000)


@pytest.fixture
def no_precheck(monkeypatch):
    """The look-up before the transaction sees nothing: what two racing posts both see."""
    monkeypatch.setattr(services, "refuse_exact_resubmission", lambda **_kw: None)


def submit(phase, unit, actor, *, on_behalf=False, details=None, phone="0912000111"):
    author = AuthorData(full_name="Hoàng Thị Mai", phone="+84" + phone[1:])
    return submit_initiative(programme=phase.programme, unit=unit, unit_unlisted=False, details=details or DETAILS,
                             authors=[author], actor=actor, on_behalf=on_behalf,
                             submission_token=uuid.uuid4().hex)[0]


@pytest.mark.django_db
@time_machine.travel(OPEN, tick=False)
def test_the_claim_refuses_what_the_look_up_missed_and_names_the_first(tree, phase, no_precheck):
    member = UserFactory()
    first = submit(phase, tree["g22"], member)
    with pytest.raises(ExactResubmission) as refused:
        submit(phase, tree["g22"], member, details=replace(DETAILS, title=DYEING_TITLE.upper() + " !"))
    assert refused.value.existing == first and first.tracking_code in refused.value.message
    assert Initiative.objects.count() == 1
    claim = ExactText.objects.get()
    assert (claim.initiative_id, claim.author_key) == (first.pk, f"u:{member.pk}")
    assert claim.text_hash == exact.text_hash(Document.of(DYEING_TITLE, dyeing_text()))


@pytest.mark.django_db
@time_machine.travel(OPEN, tick=False)
def test_other_authors_and_other_programmes_are_free_to_send_the_same_text(tree, phase, no_precheck):
    submit(phase, tree["g22"], UserFactory())
    submit(phase, tree["g22"], UserFactory())
    assert Initiative.objects.count() == 2 and ExactText.objects.count() == 2


@pytest.mark.django_db
@time_machine.travel(OPEN, tick=False)
def test_entries_on_behalf_claim_by_the_main_authors_phone(tree, phase, no_precheck):
    officers = [UserFactory(), UserFactory()]
    for officer in officers:
        grant(officer, tree["g22"], Role.SUPPORT_TEAM)
    first = submit(phase, tree["g22"], officers[0], on_behalf=True)
    assert ExactText.objects.get().author_key == "p:+84912000111"
    with pytest.raises(ExactResubmission) as refused:
        submit(phase, tree["g22"], officers[1], on_behalf=True)
    assert refused.value.existing == first and "Tác giả này đã gửi" in refused.value.message
    submit(phase, tree["g22"], officers[1], on_behalf=True, phone="0912000222")  # another author
    assert Initiative.objects.count() == 2


@pytest.mark.django_db
@time_machine.travel(OPEN, tick=False)
def test_a_returned_initiative_sent_back_moves_its_claim(tree, phase, no_precheck, monkeypatch):
    member = UserFactory()
    sent = submit(phase, tree["g22"], member)
    other = submit(phase, tree["g22"], member, details=replace(DETAILS, title="Máy cắt vải tự động",
                                                                 description="Cắt vải theo mẫu in sẵn."))
    Initiative.objects.filter(pk=other.pk).update(status=Status.RETURNED)
    other.refresh_from_db()
    with pytest.raises(ExactResubmission):  # the text of the first one: refused by the claim
        resubmit_initiative(initiative=other, details=replace(InitiativeDetails.of(other), title=DYEING_TITLE,
                                                              description=dyeing_text()),
                            actor=member)
    other.refresh_from_db()
    resubmit_initiative(initiative=other, details=replace(InitiativeDetails.of(other),
                                                          title="Máy cắt vải tự động, bản 2"), actor=member)
    claim = ExactText.objects.get(initiative=other)
    assert claim.text_hash == exact.text_hash(Document.of("Máy cắt vải tự động, bản 2", "Cắt vải theo mẫu in sẵn."))
    assert ExactText.objects.get(initiative=sent).text_hash != claim.text_hash


@pytest.mark.django_db
def test_the_migration_claims_existing_initiatives_and_leaves_repeats_unclaimed(tree, phase, capsys):
    from importlib import import_module

    migration = import_module("sangkien.duplicates.migrations.0002_exact_text")
    member = UserFactory()
    author = PersonFactory(phone="+84912000111")
    text = {"title": "Máy cắt vải", "description": "Cắt vải theo mẫu in sẵn."}
    first = InitiativeFactory(phase=phase, unit=tree["g22"], submitted_by=member, **text)
    InitiativeFactory(phase=phase, unit=tree["g22"], submitted_by=member,  # a repeat, saved before the claims
                      title="MÁY CẮT VẢI!", description="<p>Cắt vải theo mẫu in sẵn</p>")
    on_behalf = InitiativeFactory(phase=phase, unit=tree["g22"], submitted_by=None, author=author, **text)
    InitiativeFactory(phase=phase, unit=tree["g22"], submitted_by=None, author=PersonFactory(phone="", email=""),
                      **text)  # nothing identifies its author
    migration.claim_existing(apps, SimpleNamespace(connection=connection))
    claims = dict(ExactText.objects.values_list("initiative_id", "author_key"))
    assert claims == {first.pk: f"u:{member.pk}", on_behalf.pk: "p:+84912000111"}
    assert "1 initiative(s) repeat an earlier text" in capsys.readouterr().out


def _race_in_threads(tree, phase, posts):
    """``posts`` posts by one member at once against this (PostgreSQL) test database."""
    member = UserFactory()
    barrier = threading.Barrier(posts, timeout=60)
    statuses: list[int] = []
    data = form_data(tree, title="Máy nhuộm vải tiết kiệm nước", description="Tuần hoàn nước nhuộm. Giảm 30 % nước.")
    clients = []
    for _i in range(posts):
        client = Client()
        client.force_login(member)
        clients.append(client)

    def post(client) -> None:
        try:
            barrier.wait()
            response = client.post(reverse("initiatives:submit", args=[phase.programme.slug]),
                                   data | {"submission_token": uuid.uuid4().hex})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Initiative.objects.filter(submitted_by=member).count(), sorted(statuses)


def _race_on_a_sqlite_file(tmp_path, posts):
    """The in-memory SQLite test database takes no concurrent writers: a file database in a child process."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "import_vs_submit.py"), "--json", "--work", str(tmp_path),
         "--posts", str(posts), "--submitters", "0", "--modes", ""],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    race = json.loads(done.stdout.strip().splitlines()[-1])["race"]
    return race["initiatives"], race["statuses"]


@pytest.mark.django_db(transaction=True)
@time_machine.travel(OPEN, tick=True)
def test_twenty_concurrent_posts_of_the_same_text_create_one_initiative(tree, phase, tmp_path):
    """Two tabs × ten clicks, each post with its own token, all at once: one initiative;
    the others see the form naming it (200).  On this test run's database engine."""
    if connection.vendor == "sqlite":
        created, statuses = _race_on_a_sqlite_file(tmp_path, 20)
    else:
        created, statuses = _race_in_threads(tree, phase, 20)
    assert created == 1
    assert statuses == [200] * 19 + [302]

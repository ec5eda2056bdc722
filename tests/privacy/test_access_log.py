"""Every view and download of a person's data by someone else is logged and shown to that person only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.accesslog.models import AccessKind, PersonalDataAccess
from sangkien.accesslog.services import record_access
from sangkien.initiatives.models import Status
from sangkien.roles.models import Role
from tests.http import close_response

pytestmark = pytest.mark.django_db

LOG = reverse("privacy:access_log")


def _open(client, user, url):
    client.force_login(user)
    response = client.get(url)
    close_response(response)
    assert response.status_code == 200, url
    return response


def _log_of(client, user) -> str:
    client.force_login(user)
    return client.get(LOG).content.decode()


def test_a_reviewer_opening_an_initiative_appears_in_the_members_log(client, people):
    initiative = people["initiative"]
    _open(client, people["reviewer"], reverse("initiatives:detail", args=[initiative.tracking_code]))
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.kind, row.initiative, row.role, row.role_unit) == (
        people["reviewer"], AccessKind.INITIATIVE_VIEW, initiative, Role.REVIEWER, people["tree"]["d1"])
    page = _log_of(client, people["member"])
    assert "Phạm Thị Duyệt" in page and "Người xét duyệt" in page and "LĐLĐ huyện Yên Khánh" in page
    assert "Sổ tay điện tử" in page and initiative.tracking_code in page
    assert "0987" not in page and "987 654" not in page  # the viewer's phone is never shown
    assert "20/03/2021" not in page  # the access time, not the submission time


def test_an_attachment_download_appears(client, people):
    initiative, attachment = people["initiative"], people["attachment"]
    _open(client, people["support"], reverse("initiatives:attachment", args=[initiative.tracking_code,
                                                                             attachment.pk]))
    row = PersonalDataAccess.objects.get()
    assert (row.kind, row.object_ref, row.role) == (AccessKind.ATTACHMENT_DOWNLOAD, "so-tay.pdf", Role.SUPPORT_TEAM)
    page = _log_of(client, people["member"])
    assert "Tải tệp đính kèm" in page and "so-tay.pdf" in page and "Lê Văn Hỗ Trợ" in page


def test_a_review_decision_appears(client, people):
    initiative = people["initiative"]
    client.force_login(people["reviewer"])
    client.post(reverse("review:review", args=[initiative.tracking_code]),
                {"decision": Status.APPROVED, "reason": "Tốt"})
    assert list(PersonalDataAccess.objects.values_list("kind", flat=True)) == [AccessKind.REVIEW]
    assert "Xét duyệt sáng kiến" in _log_of(client, people["member"])


def test_the_members_own_views_are_not_logged(client, people):
    initiative, attachment = people["initiative"], people["attachment"]
    _open(client, people["member"], reverse("initiatives:detail", args=[initiative.tracking_code]))
    _open(client, people["member"], reverse("initiatives:attachment", args=[initiative.tracking_code,
                                                                            attachment.pk]))
    assert not PersonalDataAccess.objects.exists()
    assert 'data-testid="no-access"' in _log_of(client, people["member"])


def test_nobody_else_sees_the_log(client, people):
    initiative = people["initiative"]
    _open(client, people["reviewer"], reverse("initiatives:detail", args=[initiative.tracking_code]))
    for other in ("stranger", "reviewer", "admin"):
        page = _log_of(client, people[other])
        assert "Sổ tay điện tử" not in page and "Phạm Thị Duyệt" not in page, other
    client.logout()
    response = client.get(LOG)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_coauthor_with_an_account_sees_who_viewed_the_initiative(client, people):
    from sangkien.initiatives.models import Authorship
    from tests.factories import PersonFactory, UserFactory

    coauthor = UserFactory(full_name="Hoàng Văn Đồng")
    Authorship.objects.create(initiative=people["initiative"], person=PersonFactory(user=coauthor), position=1)
    _open(client, people["reviewer"], reverse("initiatives:detail", args=[people["initiative"].tracking_code]))
    assert "Phạm Thị Duyệt" in _log_of(client, coauthor)


def test_the_log_is_paginated(client, people):
    for _n in range(30):
        record_access(actor=people["reviewer"], kind=AccessKind.INITIATIVE_VIEW, initiative=people["initiative"])
    first = _log_of(client, people["member"])
    assert first.count('data-testid="access"') == 25 and "?trang=2" in first
    second = client.get(LOG + "?trang=2").content.decode()
    assert second.count('data-testid="access"') == 5


def test_recording_costs_one_insert(people, django_assert_num_queries):
    """The cost on the initiative page and the review: one statement (the role comes from the
    scope cache the permission check has filled; the role's unit is a sub-select)."""
    reviewer, initiative = people["reviewer"], people["initiative"]
    assert reviewer.has_perm("initiatives.view_initiative", initiative)  # fills the scope cache, as the view does
    with django_assert_num_queries(1) as captured:
        record_access(actor=reviewer, kind=AccessKind.INITIATIVE_VIEW, initiative=initiative)
    assert captured.captured_queries[0]["sql"].lstrip().upper().startswith("INSERT")
    assert PersonalDataAccess.objects.get().role_unit == people["tree"]["d1"]


def test_the_detail_page_writes_one_row_per_view(client, people):
    """Measured on the page itself: a reviewer's view adds exactly one statement on the log table, an INSERT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("initiatives:detail", args=[people["initiative"].tracking_code])
    client.force_login(people["reviewer"])
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as queries:
        close_response(client.get(url))
    inserts = [q["sql"] for q in queries.captured_queries if "privacy_personaldataaccess" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].lstrip().upper().startswith("INSERT")


def test_a_bulk_decision_is_one_row_per_initiative_in_one_insert(client, people, tree, phase):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import InitiativeFactory

    second = InitiativeFactory(phase=phase, unit=tree["g12"], title="Đèn LED", submitted_by=people["member"])
    codes = [people["initiative"].tracking_code, second.tracking_code]
    client.force_login(people["reviewer"])
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("review:bulk_review", args=[phase.programme.slug]),
                    {"ma": codes, "decision": Status.APPROVED, "reason": "Tốt", "xac-nhan": "1"})
    rows = PersonalDataAccess.objects.order_by("object_ref")
    assert sorted(r.object_ref for r in rows) == sorted(codes)
    assert {(r.kind, r.role, r.role_unit_id) for r in rows} == {(AccessKind.REVIEW, Role.REVIEWER, tree["d1"].pk)}
    assert len([q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "privacy_')]) == 1
    page = _log_of(client, people["member"])
    assert page.count('data-testid="access"') == 2 and "Đèn LED" in page

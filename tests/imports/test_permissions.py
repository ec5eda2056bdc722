"""Who may import, see an import, read the log: tried with users inside and outside the scope."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from sangkien.imports import services
from sangkien.imports.models import ExportRecord, ImportJob
from sangkien.roles.models import Role
from tests.factories import UserFactory, grant
from tests.imports.conftest import row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]

# who → (role, unit key); the subject is an import for d1 (Yên Khánh, Ninh Bình)
WHO = {
    "anonymous": None,
    "member": (),
    "support_team@d1": (Role.SUPPORT_TEAM, "d1"),
    "support_team@g11": (Role.SUPPORT_TEAM, "g11"),
    "reviewer@d1": (Role.REVIEWER, "d1"),
    "unit_admin@p1": (Role.UNIT_ADMIN, "p1"),
    "unit_admin@p2": (Role.UNIT_ADMIN, "p2"),
    "organising_committee@root": (Role.ORGANISING_COMMITTEE, "root"),
}
#                            upload page, template, see job, download result, log of p1
EXPECTED = {
    "anonymous":                 (302, 302, 302, 302, 302),
    "member":                    (403, 403, 404, 404, 403),
    "support_team@d1":           (200, 200, 200, 200, 403),
    "support_team@g11":          (403, 403, 404, 404, 403),
    "reviewer@d1":               (403, 403, 404, 404, 403),
    "unit_admin@p1":             (200, 200, 200, 200, 200),
    "unit_admin@p2":             (403, 403, 404, 404, 403),
    "organising_committee@root": (200, 200, 200, 200, 200),
}


@pytest.fixture
def job(tree, phase, officer):
    data = xlsx_file([row(), row(author_phone="x")], programme=phase.programme, phase=phase, scope=tree["d1"])
    job = services.create_import_job(upload=io.BytesIO(data), name="a.xlsx", programme=phase.programme,
                                     unit=tree["d1"], actor=officer)
    return services.check_job(job.pk)


def status_of(response) -> int:
    # Consuming a download lets the test client close it the safe way (response.close()
    # itself would fire request_finished, which closes PostgreSQL's connection mid-test).
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


@pytest.mark.parametrize("who", list(WHO))
def test_matrix(client, tree, phase, job, who):
    if WHO[who] is not None:
        user = UserFactory()
        if WHO[who]:
            role, key = WHO[who]
            grant(user, tree[key], role)
        client.force_login(user)
    slug = phase.programme.slug
    urls = [reverse("imports:upload", args=["375", slug]), reverse("imports:template", args=["375", slug]),
            reverse("imports:job", args=[job.pk]), reverse("imports:job_file", args=[job.pk]),
            reverse("imports:log", args=["37"])]
    got = tuple(status_of(client.get(url)) for url in urls)
    assert got == EXPECTED[who]


def test_outsider_cannot_confirm_someone_elses_import(client, tree, job):
    stranger = UserFactory()
    grant(stranger, tree["p2"], Role.UNIT_ADMIN)
    client.force_login(stranger)
    assert client.post(reverse("imports:job", args=[job.pk]), {"mode": "valid"}).status_code == 404
    job.refresh_from_db()
    assert job.status == "checked"


def test_service_refuses_an_upload_outside_the_scope(tree, phase):
    from sangkien.core.exceptions import NotAllowed

    stranger = UserFactory()
    grant(stranger, tree["p2"], Role.SUPPORT_TEAM)
    with pytest.raises(NotAllowed):
        services.create_import_job(upload=io.BytesIO(b"x"), name="a.csv", programme=phase.programme,
                                   unit=tree["d1"], actor=stranger)


def test_closed_phase_is_refused_on_the_page(client, tree, phase, officer):
    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sangkien.core.clock import local_datetime

    url = reverse("imports:upload", args=["375", phase.programme.slug])
    with time_machine.travel(local_datetime(2021, 4, 21, 0, 0, 0), tick=False):
        client.force_login(officer)
        page = client.get(url).content.decode()
        assert "Chương trình hiện không mở nhận sáng kiến" in page
        response = client.post(url, {"file": SimpleUploadedFile("a.csv", b"x,y\n")})
    assert "tự động đóng lúc 24h ngày 20/04/2021" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_log_shows_who_when_scope_and_rows(client, tree, phase, job, officer):
    admin = UserFactory()
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    ExportRecord.objects.create(user=officer, unit=tree["d1"], programme=phase.programme, kind="initiatives",
                                file_format="csv", rows=12, personal_data=True, status="done")
    client.force_login(admin)
    page = client.get(reverse("imports:log", args=["37"])).content.decode()
    assert "a.xlsx" in page and officer.display_name in page and "LĐLĐ huyện Yên Khánh" in page
    assert "Danh sách sáng kiến" in page and ">12<" in page

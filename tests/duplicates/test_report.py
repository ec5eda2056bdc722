"""The duplicate report: clusters largest first, scoped, downloadable."""

import csv
import io

import pytest
from django.urls import reverse

from sangkien.roles.models import Role
from tests.duplicates.conftest import indexed
from tests.duplicates.texts import KINDS, OTHERS, SAME_TOPIC, SAME_TOPIC_TITLE
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def clusters(tree, phase, original):
    """Bắc Giang: the original + 2 copies (one in Ninh Bình); Ninh Bình: a pair of its own."""
    copies = [indexed(phase=phase, unit=tree["g21"], title=KINDS["reordered"][0], description=KINDS["reordered"][1]),
              indexed(phase=phase, unit=tree["g11"], title=KINDS["paraphrase"][0], description=KINDS["paraphrase"][1])]
    title, text = OTHERS[0]
    pair = [indexed(phase=phase, unit=tree["g11"], title=title, description=text),
            indexed(phase=phase, unit=tree["g12"], title=title.lower(), description=text + " Đã nhân rộng.")]
    alone = indexed(phase=phase, unit=tree["g22"], title=SAME_TOPIC_TITLE, description=SAME_TOPIC)
    return {"big": [original, *copies], "pair": pair, "alone": alone}


def url(programme, unit=None):
    base = reverse("duplicates:report", args=[programme.slug])
    return f"{base}?don-vi={unit.code}" if unit else base


def test_committee_sees_clusters_of_the_whole_programme_largest_first(client, committee, clusters, phase):
    client.force_login(committee)
    page = client.get(url(phase.programme)).content.decode()
    assert "2 nhóm sáng kiến gần giống nhau" in page
    first, second = page.index("Nhóm 1: 3 sáng kiến"), page.index("Nhóm 2: 2 sáng kiến")
    assert first < second
    assert all(i.tracking_code in page for i in clusters["big"] + clusters["pair"])
    assert clusters["alone"].tracking_code not in page  # same topic, other solution


def test_an_officer_sees_only_clusters_inside_their_subtree(client, tree, clusters, phase):
    officer = UserFactory()
    grant(officer, tree["d1"], Role.REVIEWER)
    client.force_login(officer)
    page = client.get(url(phase.programme, tree["d1"])).content.decode()
    assert "1 nhóm sáng kiến gần giống nhau" in page
    assert all(i.tracking_code in page for i in clusters["pair"])
    assert clusters["big"][0].tracking_code not in page  # the original is in Bắc Giang
    assert client.get(url(phase.programme)).status_code == 403  # the whole programme: not theirs
    assert client.get(url(phase.programme, tree["p2"])).status_code == 403


def test_the_report_downloads_as_csv(client, committee, clusters, phase):
    client.force_login(committee)
    response = client.get(reverse("duplicates:report", args=[phase.programme.slug]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Nhóm", "Số sáng kiến trong nhóm", "Mã theo dõi"]
    assert [r[0] for r in rows[1:]] == ["1", "1", "1", "2", "2"]
    assert rows[1][2] == clusters["big"][0].tracking_code  # oldest first: the original


def test_members_and_anonymous_cannot_open_the_report(client, clusters, phase):
    assert client.get(url(phase.programme)).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(url(phase.programme)).status_code == 403


def test_the_report_command_writes_the_same_csv(tmp_path, clusters, phase, tree):
    import io

    from django.core.management import call_command

    path = tmp_path / "trung-lap.csv"
    call_command("duplicate_report", "--programme", phase.programme.slug, "--output", str(path),
                 stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["1", "1", "1", "2", "2"]
    out = io.StringIO()
    call_command("duplicate_report", "--programme", phase.programme.slug, "--unit", tree["d1"].code,
                 stdout=out, stderr=io.StringIO())
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 3  # header + the Ninh Bình pair

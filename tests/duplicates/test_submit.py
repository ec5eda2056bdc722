"""While submitting: the similar-initiatives panel, and exact resubmissions refused."""

import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.initiatives.models import Initiative
from sangkien.roles.models import Role
from tests.duplicates.texts import DYEING_TITLE, KINDS, SAME_TOPIC, SAME_TOPIC_TITLE, dyeing_text
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def window_open():
    with time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False):
        yield


def form_data(tree, **overrides):
    data = {
        "author_full_name": "Hoàng Thị Mai", "author_phone": "0912 000 111", "author_email": "",
        "unit_1": tree["p2"].code, "unit_2": tree["d2"].code, "unit_3": tree["g22"].code,
        "sector_block": "enterprise", "title": DYEING_TITLE, "description": dyeing_text(),
        "benefit_vnd": "1,5 triệu", "recognition_form": "", "submission_token": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def panel(client, programme, title, description):
    return client.post(reverse("duplicates:submit_panel", args=[programme.slug]),
                       {"title": title, "description": description}, HTTP_HX_REQUEST="true")


def test_the_submit_page_has_the_panel_wired_to_title_and_trix(client, phase):
    client.force_login(UserFactory())
    page = client.get(reverse("initiatives:submit", args=[phase.programme.slug])).content.decode()
    assert reverse("duplicates:submit_panel", args=[phase.programme.slug]) in page
    assert "trix-change from:body" in page and "from:#id_title" in page


def test_panel_shows_title_unit_status_and_percent_without_personal_data(client, original, others):
    client.force_login(UserFactory())
    html = panel(client, original.programme, *KINDS["paraphrase"]).content.decode()
    assert original.title in html and original.unit.name in html and "Đã gửi, chờ xét duyệt" in html
    assert "giống" in html and "%" in html and "có thể trùng" in html
    assert "Hoàng Thị Mai" not in html and "0912" not in html and "mai@example.vn" not in html
    assert reverse("initiatives:detail", args=[original.tracking_code]) not in html  # not theirs
    assert others[0].title not in html


def test_panel_waits_for_enough_text_and_says_when_nothing_is_similar(client, original):
    client.force_login(UserFactory())
    assert "Khi bạn đã nhập tên và mô tả" in panel(client, original.programme, "Máy dệt", "").content.decode()
    html = panel(client, original.programme, "Ứng dụng bảng tính chấm công",
                 "Tổ hành chính lập bảng tính chấm công tự động cho ba phân xưởng, tổng hợp giờ làm thêm "
                 "theo tuần và gửi cho phòng kế toán.").content.decode()
    assert "Chưa thấy sáng kiến nào tương tự" in html


def test_same_topic_other_solution_is_shown_but_not_as_likely_duplicate(client, original):
    client.force_login(UserFactory())
    html = panel(client, original.programme, SAME_TOPIC_TITLE, SAME_TOPIC).content.decode()
    assert "có thể trùng" not in html


def test_a_near_duplicate_is_not_blocked(client, tree, phase, original):
    member = UserFactory()
    client.force_login(member)
    title, text = KINDS["paraphrase"]
    response = client.post(reverse("initiatives:submit", args=[phase.programme.slug]),
                           form_data(tree, title=title, description=text, author_phone="0987 000 222"))
    assert response.status_code == 302
    assert Initiative.objects.filter(submitted_by=member).count() == 1


def test_without_javascript_a_redisplayed_form_lists_the_similar_ones(client, tree, phase, original):
    client.force_login(UserFactory())
    title, text = KINDS["no_diacritics"]
    page = client.post(reverse("initiatives:submit", args=[phase.programme.slug]),
                       form_data(tree, title=title, description=text, sector_block="")).content.decode()
    assert 'data-testid="similar-list"' in page and original.title in page


@pytest.mark.parametrize("repeat", [1, 1500])
def test_a_redisplayed_form_cleans_the_description_once_for_the_form_and_the_panel(
        client, tree, phase, original, monkeypatch, repeat):
    from sangkien.core import sanitise
    from sangkien.duplicates import views as duplicate_views
    from sangkien.initiatives import forms, views

    cleaned = []

    def counting(html):
        cleaned.append(html)
        return sanitise.clean_description(html)

    for module in (forms, views, duplicate_views):
        monkeypatch.setattr(module, "clean_description", counting, raising=False)
    client.force_login(UserFactory())
    title, text = KINDS["no_diacritics"]
    text = text * repeat  # 1500 times: longer than a description may be, refused by the form
    page = client.post(reverse("initiatives:submit", args=[phase.programme.slug]),
                       form_data(tree, title=title, description=text, sector_block="")).content.decode()
    assert 'data-testid="similar-list"' in page and original.title in page
    assert ("Mô tả quá dài" in page) == (repeat > 1)
    assert cleaned == [text]


def test_exact_resubmission_by_the_same_member_is_refused_with_a_link(client, tree, phase):
    member = UserFactory()
    client.force_login(member)
    url = reverse("initiatives:submit", args=[phase.programme.slug])
    assert client.post(url, form_data(tree)).status_code == 302
    first = Initiative.objects.get()
    # retyped without accents, in Word, a day later: the same normalised text
    title, text = KINDS["word_artefacts"]
    response = client.post(url, form_data(tree, title=title, description=text))
    page = response.content.decode()
    assert response.status_code == 200 and Initiative.objects.count() == 1
    assert "Bạn đã gửi sáng kiến này rồi" in page and first.tracking_code in page
    assert reverse("initiatives:detail", args=[first.tracking_code]) in page


def test_the_same_text_by_another_member_is_accepted_and_shown_as_similar(client, tree, phase, original):
    client.force_login(UserFactory())
    url = reverse("initiatives:submit", args=[phase.programme.slug])
    assert client.post(url, form_data(tree, author_phone="0987 654 321")).status_code == 302
    assert Initiative.objects.count() == 2


def test_support_team_entering_the_members_own_text_again_is_refused(client, tree, phase, original):
    helper = UserFactory()
    grant(helper, tree["d2"], Role.SUPPORT_TEAM)
    client.force_login(helper)
    url = reverse("review:enter", args=[tree["g22"].code, phase.programme.slug])
    page = client.post(url, form_data(tree, target_unit=tree["g22"].code)).content.decode()
    assert "Tác giả này đã gửi sáng kiến này rồi" in page and original.tracking_code in page
    assert Initiative.objects.count() == 1


def test_a_returned_initiative_cannot_be_resent_as_a_copy_of_another_of_the_authors(client, tree, phase):
    from sangkien.initiatives.models import Status
    from sangkien.initiatives.services import review_initiative

    member = UserFactory()
    client.force_login(member)
    url = reverse("initiatives:submit", args=[phase.programme.slug])
    client.post(url, form_data(tree))
    client.post(url, form_data(tree, title="Tổ chức lại kho nguyên liệu", description=SAME_TOPIC))
    first, second = Initiative.objects.order_by("pk")
    reviewer = UserFactory()
    grant(reviewer, tree["d2"], Role.REVIEWER)
    review_initiative(initiative=second, decision=Status.RETURNED, reason="Bổ sung", actor=reviewer)
    page = client.post(reverse("initiatives:edit", args=[second.tracking_code]), {
        "sector_block": "enterprise", "title": DYEING_TITLE, "description": dyeing_text(),
        "recognition_form": ""}).content.decode()
    second.refresh_from_db()
    assert "Bạn đã gửi sáng kiến này rồi" in page and second.status == Status.RETURNED


#: Issue 12: the panel is posted 1–3 times as a member types. Session, user, frequent keys,
#: postings, sketches, the best candidates read whole once (texts to re-rank, units to show), the
#: viewer's roles — and no navigation query (the partial is rendered without the context processors).
#: Round 7: 8 → 7, the programme is the form page's kept one (``form_page.kept_open_programme``: read
#: with its phases by a process's first form page or panel, see :func:`warm`).
PANEL_QUERIES = 7


def warm(client, programme):
    """One panel POST before the measured one: the programme and its phases are then kept."""
    with CaptureQueriesContext(connection) as ctx:
        panel(client, programme, "Máy dệt", "")
    assert sum("programmes_phase" in q["sql"] for q in ctx.captured_queries) == 1


def test_the_panel_costs_a_fixed_number_of_queries(client, original, others):
    client.force_login(UserFactory())
    warm(client, original.programme)
    with CaptureQueriesContext(connection) as ctx:
        html = panel(client, original.programme, *KINDS["paraphrase"]).content.decode()
    assert original.title in html
    assert not any("programmes_" in q["sql"] for q in ctx.captured_queries)
    assert len(ctx.captured_queries) == PANEL_QUERIES, "\n".join(q["sql"][:120] for q in ctx.captured_queries)


@pytest.mark.parametrize(("viewer", "queries"), [
    ("sender", PANEL_QUERIES),  # the sender's own: no role query, the main author's name instead
    ("officer over the unit", PANEL_QUERIES + 1),  # the roles, and the main author's name
])
def test_the_panel_reads_no_more_for_a_viewer_who_may_open_the_match(client, tree, original, viewer, queries):
    """Issue 12: the panel reads only the columns it shows or checks (``similar.PANEL_COLUMNS``).
    For a viewer in scope it links the match: the permission (sender, unit path) and the link
    (tracking code) come from those columns, with no query per match."""
    if viewer == "sender":
        user = original.submitted_by
    else:
        user = UserFactory()
        grant(user, tree["d2"], Role.REVIEWER)
    client.force_login(user)
    warm(client, original.programme)
    with CaptureQueriesContext(connection) as ctx:
        html = panel(client, original.programme, *KINDS["paraphrase"]).content.decode()
    assert reverse("initiatives:detail", args=[original.tracking_code]) in html
    assert original.title in html and original.unit.name in html and "Đã gửi, chờ xét duyệt" in html
    assert len(ctx.captured_queries) == queries, "\n".join(q["sql"][:120] for q in ctx.captured_queries)
    shortlist = next(q["sql"] for q in ctx.captured_queries if '"initiatives_initiative"."title"' in q["sql"])
    assert '"effect_summary"' not in shortlist and "duplicate_of" not in shortlist.split(" FROM ")[0]


def test_an_edited_initiative_is_compared_by_its_new_text_not_a_kept_analysis(client, original):
    """Candidates' shingles are kept per worker (``similar._shingles``), keyed by the text's digest:
    after the original loses half its description and is re-indexed, the panel's figure is the new
    text's."""
    from sangkien.duplicates.detector import Document, jaccard
    from sangkien.duplicates.services import reindex_initiative

    client.force_login(UserFactory())
    title, text = KINDS["paraphrase"]
    query = Document.of(title, text)
    before = panel(client, original.programme, title, text).content.decode()
    old_title, old_description = original.title, original.description
    original.description = old_description[: len(old_description) // 2]
    original.save(update_fields=["description"])
    reindex_initiative(original, old_title=old_title, old_description=old_description)
    after = panel(client, original.programme, title, text).content.decode()

    def figure(document):
        return f"giống {round(jaccard(query.shingles, document.shingles) * 100)}%"

    old_figure = figure(Document.of(old_title, old_description))
    new_figure = figure(Document.of(original.title, original.description))
    assert old_figure in before and new_figure != old_figure
    assert new_figure in after


def test_the_panel_of_an_unpublished_or_unknown_programme_is_not_found(client, original):
    """Also once the programme is kept: unpublishing it is seen by the next panel POST."""
    client.force_login(UserFactory())
    assert panel(client, original.programme, *KINDS["paraphrase"]).status_code == 200  # now kept
    original.programme.is_published = False
    original.programme.save()
    assert panel(client, original.programme, *KINDS["paraphrase"]).status_code == 404
    response = client.post(reverse("duplicates:submit_panel", args=["khong-co-chuong-trinh-nay"]),
                           {"title": "Máy dệt", "description": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404

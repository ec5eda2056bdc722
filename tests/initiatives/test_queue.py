"""Issue 8.10: the review queue at a district officer's scale, bulk decisions, the officer home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.core.clock import local_datetime
from sangkien.core.models import AuditEntry
from sangkien.duplicates.services import index_initiative
from sangkien.initiatives.models import Initiative, Status, StatusChange
from sangkien.initiatives.services import review_initiative
from sangkien.programmes.models import Field
from sangkien.roles.models import Role
from tests.duplicates.texts import DYEING_TITLE, PARAPHRASE, PARAPHRASE_TITLE, dyeing_text
from tests.factories import InitiativeFactory, PersonFactory, ProgrammeFactory, UserFactory, grant
from tests.initiatives.htmltools import tags

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(tree):
    user = UserFactory(full_name="Đinh Văn Long")
    grant(user, tree["d1"], Role.REVIEWER)
    return user


@pytest.fixture
def world(tree, phase):
    """Four initiatives of Yên Khánh (d1), one of Bắc Giang (outside the reviewer's scope)."""
    edu = Field.objects.create(code="giao-duc", name="Giáo dục, đào tạo", position=1)
    made = Field.objects.create(code="san-xuat", name="Sản xuất, kinh doanh", position=2)
    items = {
        "book": InitiativeFactory(phase=phase, unit=tree["g11"], title="Sổ tay điện tử cho học sinh", field=edu,
                                  benefit_vnd=2_000_000, submitted_at=local_datetime(2021, 3, 15, 8),
                                  author=PersonFactory(full_name="Nguyễn Thị Hoa")),
        "jig": InitiativeFactory(phase=phase, unit=tree["g12"], title="Đồ gá thay khuôn nhanh", field=made,
                                 benefit_vnd=150_000_000, submitted_at=local_datetime(2021, 3, 20, 9),
                                 author=PersonFactory(full_name="Phạm Văn Công")),
        "dye": InitiativeFactory(phase=phase, unit=tree["g12"], title="Tiết kiệm hơi nóng máy nhuộm", field=made,
                                 benefit_vnd=None, submitted_at=local_datetime(2021, 4, 2, 14),
                                 author=PersonFactory(full_name="Lê Văn Tám")),
        "done": InitiativeFactory(phase=phase, unit=tree["g11"], title="Lịch trực điện tử", field=edu,
                                  benefit_vnd=500_000, submitted_at=local_datetime(2021, 3, 11, 7),
                                  status=Status.APPROVED),
        "far": InitiativeFactory(phase=phase, unit=tree["g21"], title="Sổ tay ở Bắc Giang", field=edu,
                                 submitted_at=local_datetime(2021, 3, 16, 7)),
    }
    return items


def listed(client, phase, **params):
    """Titles on the queue page for ``params`` (query-string names), in page order."""
    response = client.get(reverse("review:queue", args=[phase.programme.slug]), params)
    assert response.status_code == 200
    html = response.content.decode()
    cards = html.split('data-testid="queue-item"')[1:]
    return [next(a for a in tags(card, "a") if "/sang-kien/SK-" in a["href"])["href"] for card in cards], html


def codes(world, *names):
    return [reverse("initiatives:detail", args=[world[n].tracking_code]) for n in names]


def test_search_finds_by_title_tracking_code_and_author(client, phase, reviewer, world):
    client.force_login(reviewer)
    assert listed(client, phase, q="sổ tay")[0] == codes(world, "book")
    assert listed(client, phase, q=world["jig"].tracking_code.lower())[0] == codes(world, "jig")
    assert listed(client, phase, q="Văn Tám")[0] == codes(world, "dye")


def test_filters_by_unit_field_dates_and_benefit(client, tree, phase, reviewer, world):
    client.force_login(reviewer)
    assert listed(client, phase, **{"don-vi": tree["g12"].code})[0] == codes(world, "jig", "dye")
    assert listed(client, phase, **{"linh-vuc": "giao-duc"})[0] == codes(world, "book")
    assert listed(client, phase, **{"tu-ngay": "20/03/2021", "den-ngay": "02/04/2021"})[0] == codes(
        world, "jig", "dye")
    assert listed(client, phase, **{"loi-tu": "1,5 triệu", "loi-den": "100 triệu"})[0] == codes(world, "book")


def test_a_unit_outside_the_scope_is_refused(client, tree, phase, reviewer, world):
    client.force_login(reviewer)
    response = client.get(reverse("review:queue", args=[phase.programme.slug]), {"don-vi": tree["g21"].code})
    assert response.status_code == 403


def test_a_bad_filter_says_why_and_keeps_what_was_typed(client, phase, reviewer, world):
    client.force_login(reviewer)
    titles, html = listed(client, phase, **{"loi-tu": "nhiều lắm", "tu-ngay": "31/02/2021"})
    assert 'value="nhiều lắm"' in html and 'value="31/02/2021"' in html
    assert html.count('class="error"') >= 2
    assert titles == codes(world, "book", "jig", "dye")


def test_sorting(client, phase, reviewer, world):
    client.force_login(reviewer)
    assert listed(client, phase)[0] == codes(world, "book", "jig", "dye")
    assert listed(client, phase, **{"sap-xep": "moi-nhat"})[0] == codes(world, "dye", "jig", "book")
    assert listed(client, phase, **{"sap-xep": "loi-nhieu"})[0] == codes(world, "jig", "book", "dye")


def test_tabs_show_counts_within_the_filters(client, tree, phase, reviewer, world):
    client.force_login(reviewer)
    _titles, html = listed(client, phase)
    tabs = {a["data-testid"]: a for a in tags(html, "a") if a.get("data-testid", "").startswith("tab-")}
    assert set(tabs) == {"tab-submitted", "tab-returned", "tab-approved", "tab-rejected", "tab-tat-ca"}
    counts = {t: html.split(f'data-testid="{t}"')[1].split('class="count">')[1].split("<")[0] for t in tabs}
    assert counts == {"tab-submitted": "3", "tab-returned": "0", "tab-approved": "1", "tab-rejected": "0",
                      "tab-tat-ca": "4"}
    _titles, html = listed(client, phase, **{"linh-vuc": "giao-duc"})
    assert html.split('data-testid="tab-tat-ca"')[1].split('class="count">')[1].startswith("2<")
    approved = next(a for a in tags(html, "a") if a.get("data-testid") == "tab-approved")
    assert "linh-vuc=giao-duc" in approved["href"] and "trang-thai=approved" in approved["href"]


def test_pages_keep_the_filters(client, tree, phase, reviewer):
    for number in range(30):
        InitiativeFactory(phase=phase, unit=tree["g11"], title=f"Giải pháp số {number}",
                          submitted_at=local_datetime(2021, 3, 12, 8, number))
    client.force_login(reviewer)
    titles, html = listed(client, phase, q="giải pháp")
    assert len(titles) == 25
    # the total and the pages come from the tab's count (issue 12: no second COUNT)
    assert "<p>30 sáng kiến</p>" in html and "<span>1 / 2</span>" in html
    nxt = next(a["href"] for a in tags(html, "a") if "trang=2" in a.get("href", ""))
    assert "q=gi" in nxt
    titles, html = listed(client, phase, q="giải pháp", trang="2")
    assert len(titles) == 5 and "<span>2 / 2</span>" in html


def test_no_decision_buttons_on_decided_items(client, phase, reviewer, world):
    client.force_login(reviewer)
    _titles, html = listed(client, phase, **{"trang-thai": "tat-ca"})
    cards = {card.split("</h3>")[0]: card for card in html.split('data-testid="queue-item"')[1:]}
    done = next(c for h, c in cards.items() if world["done"].title in h)
    waiting = next(c for h, c in cards.items() if world["book"].title in h)
    assert 'name="decision"' not in done and 'name="ma"' not in done
    assert 'name="decision"' in waiting and 'name="ma"' in waiting


def test_the_duplicate_hint_appears_only_for_likely_duplicates(client, tree, phase, reviewer):
    original = InitiativeFactory(phase=phase, unit=tree["g12"], title=DYEING_TITLE, description=dyeing_text())
    copy = InitiativeFactory(phase=phase, unit=tree["g11"], title=PARAPHRASE_TITLE, description=PARAPHRASE)
    alone = InitiativeFactory(phase=phase, unit=tree["g11"], title="Lịch trực điện tử cho tổ bảo vệ",
                              description="<p>Phần mềm xếp lịch trực ca đêm cho tổ bảo vệ nhà máy.</p>")
    for initiative in (original, copy, alone):
        index_initiative(initiative)
    client.force_login(reviewer)
    _titles, queue = listed(client, phase)
    assert "có thể trùng" not in queue.lower() and 'hx-select=".duplicate-attention"' in queue

    def partial(initiative):
        return client.get(reverse("duplicates:matches", args=[initiative.tracking_code]),
                          HTTP_HX_REQUEST="true").content.decode()

    assert 'class="duplicate-hint"' in partial(copy) and "duplicate-attention" in partial(copy)
    assert 'class="duplicate-hint"' not in partial(alone) and "duplicate-attention" not in partial(alone)


def bulk(client, phase, *initiatives, decision, reason="", confirm=False, extra=()):
    data = {"ma": [i.tracking_code for i in initiatives] + list(extra), "decision": decision, "reason": reason}
    if confirm:
        data["xac-nhan"] = "1"
    return client.post(reverse("review:bulk_review", args=[phase.programme.slug]), data)


def test_bulk_decision_confirms_then_applies_each_through_the_review_service(client, phase, reviewer, world):
    client.force_login(reviewer)
    step = bulk(client, phase, world["book"], world["jig"], decision=Status.RETURNED, reason="Bổ sung hồ sơ")
    html = step.content.decode()
    assert step.status_code == 200 and "Xác nhận và ghi quyết định" in html
    assert world["book"].tracking_code in html and world["jig"].title in html
    assert Initiative.objects.filter(status=Status.RETURNED).count() == 0
    fields = {i["name"]: i["value"] for i in tags(html, "input") if i.get("type") == "hidden" and i["name"] != "ma"}
    sent = [i["value"] for i in tags(html, "input") if i.get("name") == "ma"]
    response = client.post(reverse("review:bulk_review", args=[phase.programme.slug]), {**fields, "ma": sent})
    assert response.status_code == 302
    for name in ("book", "jig"):
        world[name].refresh_from_db()
        assert (world[name].status, world[name].status_reason) == (Status.RETURNED, "Bổ sung hồ sơ")
        assert StatusChange.objects.filter(initiative=world[name], actor=reviewer,
                                           to_status=Status.RETURNED).count() == 1
        assert AuditEntry.objects.filter(action="initiative.returned", actor=reviewer,
                                         object_id=str(world[name].pk)).count() == 1
    assert "Đã ghi quyết định" in client.get(response["Location"]).content.decode()


def test_bulk_refuses_decided_and_out_of_scope_items_naming_them(client, phase, reviewer, world):
    client.force_login(reviewer)
    response = bulk(client, phase, world["book"], world["done"], world["far"], decision=Status.APPROVED,
                    confirm=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{world['done'].tracking_code}</strong> “{world['done'].title}”: đã được xét duyệt" in html
    assert f"{world['far'].tracking_code}</strong>: không tìm thấy trong phạm vi của bạn" in html
    assert "Xác nhận và ghi quyết định" not in html
    world["book"].refresh_from_db()
    assert world["book"].status == Status.SUBMITTED


def test_bulk_refuses_an_item_decided_meanwhile_and_writes_nothing(client, phase, reviewer, world):
    client.force_login(reviewer)
    other = UserFactory()
    grant(other, world["jig"].unit, Role.REVIEWER)
    review_initiative(initiative=world["jig"], decision=Status.APPROVED, reason="", actor=other)
    response = bulk(client, phase, world["book"], world["jig"], decision=Status.APPROVED, confirm=True)
    html = response.content.decode()
    assert world["jig"].tracking_code in html and "đã được xét duyệt" in html
    world["book"].refresh_from_db()
    assert world["book"].status == Status.SUBMITTED


def test_bulk_return_asks_for_the_one_reason_keeping_the_ticked_items(client, phase, reviewer, world):
    client.force_login(reviewer)
    response = bulk(client, phase, world["book"], world["jig"], decision=Status.REJECTED, reason=" ",
                    confirm=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Hãy ghi lý do" in html
    assert [i["value"] for i in tags(html, "input") if i.get("name") == "ma"] == [
        world["book"].tracking_code, world["jig"].tracking_code]
    assert 'value="rejected" selected' in html
    world["book"].refresh_from_db()
    assert world["book"].status == Status.SUBMITTED


def test_bulk_with_nothing_ticked_says_so(client, phase, reviewer, world):
    client.force_login(reviewer)
    response = bulk(client, phase, decision=Status.APPROVED)
    assert response.status_code == 302
    assert "Hãy chọn ít nhất một sáng kiến." in client.get(response["Location"]).content.decode()


def test_officer_home_has_one_line_per_programme(client, tree, phase, reviewer, world):
    other = ProgrammeFactory(slug="9000-sang-kien", name="9.000 sáng kiến", organiser=tree["p1"])
    client.force_login(reviewer)
    html = client.get(reverse("review:home")).content.decode()
    lines = html.split('data-testid="programme-line"')[1:]
    by_name = {line.split("<h3>")[1].split("</h3>")[0]: line for line in lines}
    assert set(by_name) >= {phase.programme.name, other.name}
    figures = [a.split(">")[-1] for a in by_name[phase.programme.name].split("</a>")[:3]]
    assert figures == ["4", "1", "3"]
    assert reverse("review:queue", args=[phase.programme.slug]) + "?trang-thai=submitted" in by_name[
        phase.programme.name]
    assert [a.split(">")[-1] for a in by_name[other.name].split("</a>")[:3]] == ["0", "0", "0"]

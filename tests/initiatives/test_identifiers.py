"""Issue 8.1: no identifier (pk, code, year) is ever rendered through number localisation.

Primary keys run above 1,000,000 in tests (tests/conftest.py), so a pk that
goes through Vietnamese number formatting comes out as ``1.000.123`` (English:
``1,000,123``): a form field named after it is not read back, a button's value
points nowhere.  These tests submit what the pages render, as a browser does,
and scan the officer pages for any identifier of the database in localised form.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from sangkien.duplicates.services import index_initiative
from sangkien.programmes.models import Target
from sangkien.reports.counting import unit_table
from sangkien.roles.models import Role, RoleAssignment
from tests.duplicates.texts import DYEING_TITLE, PARAPHRASE, PARAPHRASE_TITLE, dyeing_text
from tests.factories import InitiativeFactory, UserFactory, grant
from tests.initiatives.htmltools import tags

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "sangkien" / "templates"


@pytest.fixture
def admin(tree):
    """Unit administrator and reviewer of Ninh Bình (p1)."""
    user = UserFactory(full_name="Trần Quản Trị")
    grant(user, tree["p1"], Role.UNIT_ADMIN)
    grant(user, tree["p1"], Role.REVIEWER)
    return user


@pytest.fixture
def pair(tree, phase):
    """An initiative and a near copy of it in Yên Khánh, both indexed for duplicate search."""
    first = InitiativeFactory(phase=phase, unit=tree["g12"], title=DYEING_TITLE, description=dyeing_text(),
                              benefit_vnd=12_345_678)
    copy = InitiativeFactory(phase=phase, unit=tree["g11"], title=PARAPHRASE_TITLE, description=PARAPHRASE,
                             benefit_vnd=7_654_321)
    for initiative in (first, copy):
        index_initiative(initiative)
    return first, copy


def test_targets_typed_on_the_page_are_saved_and_shown(client, tree, phase, admin):
    client.force_login(admin)
    url = reverse("programmes:targets", args=[tree["p1"].code, phase.programme.slug])
    inputs = [i for i in tags(client.get(url).content.decode(), "input") if i.get("inputmode") == "numeric"]
    by_label = {i["aria-label"]: i["name"] for i in inputs}
    response = client.post(url, {by_label[tree["p1"].name]: "1.396", by_label[tree["d1"].name]: "1000"})
    assert response.status_code == 302
    assert dict(Target.objects.values_list("unit__code", "value")) == {"37": 1396, "375": 1000}
    again = {i["aria-label"]: i["value"] for i in tags(client.get(url).content.decode(), "input")
             if i.get("inputmode") == "numeric"}
    assert again[tree["p1"].name] == "1396" and again[tree["d1"].name] == "1000"
    table = unit_table(programme=phase.programme, unit=tree["root"])
    assert {r.code: r.target for r in table.rows}["37"] == 1396


def test_revoke_button_revokes_the_role_it_shows(client, tree, admin):
    member = UserFactory(full_name="Lê Thị Bỏ Quyền")
    doomed = grant(member, tree["d1"], Role.SUPPORT_TEAM)
    client.force_login(admin)
    url = reverse("roles:manage", args=[tree["p1"].code])
    html = client.get(url).content.decode()
    row = html[html.index("Lê Thị Bỏ Quyền"):]
    button = next(b for b in tags(row, "button") if b.get("name") == "revoke")
    response = client.post(url, {"revoke": button["value"]})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=doomed.pk).exists()


def test_duplicate_mark_choice_marks_the_original_it_names(client, admin, pair):
    first, copy = pair
    client.force_login(admin)
    html = client.get(reverse("duplicates:matches", args=[copy.tracking_code])).content.decode()
    radio = next(r for r in tags(html, "input") if r.get("name") == "original")
    client.post(reverse("duplicates:mark", args=[copy.tracking_code]),
                {"original": radio["value"], "reason": "Cùng một giải pháp"})
    copy.refresh_from_db()
    assert copy.duplicate_of_id == first.pk


def _identifiers() -> set[int]:
    """Every integer primary key in the test database that grouping would change (≥ 1,000)."""
    found: set[int] = set()
    for model in apps.get_models():
        if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"} and model._meta.managed:
            found.update(pk for pk in model.objects.values_list("pk", flat=True) if pk >= 1000)
    return found


def _localised(number: int) -> set[str]:
    grouped = f"{number:,}"
    return {grouped, grouped.replace(",", "."), grouped.replace(",", "\u00a0")}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_officer_pages_show_no_identifier_in_localised_form(client, tree, phase, admin, pair, language):
    first, copy = pair
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(admin)
    slug = phase.programme.slug
    pages = [
        reverse("review:home"),
        reverse("review:queue", args=[slug]),
        reverse("review:queue", args=[slug]) + "?trang-thai=tat-ca&sap-xep=loi-nhieu",
        reverse("initiatives:detail", args=[copy.tracking_code]),
        reverse("duplicates:matches", args=[copy.tracking_code]),
        reverse("programmes:targets", args=[tree["p1"].code, slug]) + f"?giai-doan={phase.number}",
        reverse("roles:manage", args=[tree["p1"].code]),
        reverse("reports:dashboard", args=[slug, tree["p1"].code]),
    ]
    identifiers = _identifiers()
    assert first.pk in identifiers and tree["p1"].pk in identifiers
    problems = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        problems += [f"{url}: {text}" for pk in identifiers for text in _localised(pk) if text in html]
    assert problems == []


#: ``{{ x.pk }}``, ``{{ x.id }}``, ``{{ x.unit_id }}``, ``{{ x.year }}``, ``{{ x.number }}``…
#: rendered without a filter that keeps it a plain string.
_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*((?:\|[^}]*)?)\}\}")
_IDENTIFIER = re.compile(r"\.(?:pk|id|\w+_id|year|number|\w+_number)$")
_SAFE_FILTERS = ("unlocalize", "stringformat", "urlencode", "date")
_BLOCK_WITH = re.compile(r"\{%\s*blocktrans(?:late)?\b[^%]*%\}")


def test_templates_never_render_an_identifier_through_localisation():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in _VARIABLE.finditer(text):
            name, filters = match.group(1), match.group(2)
            if _IDENTIFIER.search(name) and not any(f"|{f}" in filters for f in _SAFE_FILTERS):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        for match in _BLOCK_WITH.finditer(text):
            for value in re.findall(r"=\s*([\w.]+)", match.group(0)):
                if _IDENTIFIER.search(value):
                    offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offenders == []


def test_the_template_check_catches_a_bare_pk():
    assert _IDENTIFIER.search("row.unit.pk") and _IDENTIFIER.search("initiative.programme_id")
    match = _VARIABLE.search('name="u{{ row.unit.pk }}"')
    assert match is not None and match.group(2) == ""
    assert not _IDENTIFIER.search("row.unit.code") and not _IDENTIFIER.search("page.paginator.count")


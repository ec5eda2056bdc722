"""An import names units the way officers write them (issue 11, "Names as people type them")."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from sangkien.imports import services
from sangkien.initiatives.models import Initiative
from sangkien.roles.models import Role
from sangkien.units.models import Unit, UnitKind
from tests.factories import UserFactory, grant, make_unit
from tests.imports.conftest import row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]
FIRST = 6


@pytest.fixture
def ninh_binh(tree):
    """Ninh Bình with the upper-level unions of the issue's rows, and a support-team officer on it."""
    p1 = tree["p1"]
    tam_diep = make_unit(p1, code="370", name="LĐLĐ thành phố Tam Điệp", kind=UnitKind.DISTRICT_FEDERATION)
    city = make_unit(p1, code="369", name="LĐLĐ thành phố Ninh Bình", kind=UnitKind.DISTRICT_FEDERATION)
    vc = make_unit(p1, code="37-VC", name="Công đoàn Viên chức tỉnh Ninh Bình", kind=UnitKind.PUBLIC_EMPLOYEES_UNION)
    officer = UserFactory(full_name="Trần Thị Tỉnh")
    grant(officer, p1, Role.SUPPORT_TEAM)
    p1.refresh_from_db()
    return {"p1": p1, "d1": tree["d1"], "tam_diep": tam_diep, "city": city, "vc": vc, "officer": officer}


def check(rows, *, phase, scope, officer):
    data = xlsx_file(rows, programme=phase.programme, phase=phase, scope=scope)
    job = services.create_import_job(upload=io.BytesIO(data), name="ninh-binh.xlsx", programme=phase.programme,
                                     unit=scope, actor=officer)
    return services.check_job(job.pk)


def test_the_issue_rows_for_ninh_binh_are_accepted_and_saved_on_their_units(ninh_binh, phase):
    """Refused row by row before: each name has exactly one match in Ninh Bình."""
    job = check([row(unit="Huyện Yên Khánh"), row(unit="Thành phố Tam Điệp"), row(unit="Công đoàn Viên chức tỉnh")],
                phase=phase, scope=ninh_binh["p1"], officer=ninh_binh["officer"])
    assert job.report["errors"] == []
    assert (job.rows_valid, job.rows_invalid) == (3, 0)
    assert [s["unit"] for s in job.report["sample"]] == [
        "Huyện Yên Khánh → LĐLĐ huyện Yên Khánh (375)",
        "Thành phố Tam Điệp → LĐLĐ thành phố Tam Điệp (370)",
        "Công đoàn Viên chức tỉnh → Công đoàn Viên chức tỉnh Ninh Bình (37-VC)",
    ]
    services.confirm_job(job=job, mode="all", actor=ninh_binh["officer"])
    services.save_job(job.pk, actor=ninh_binh["officer"])
    saved = sorted(Initiative.objects.values_list("unit__code", flat=True))
    assert saved == ["37-VC", "370", "375"]


def test_the_preview_page_shows_each_name_and_the_unit_it_was_read_as(ninh_binh, phase, client):
    job = check([row(unit="huyen yen khanh"), row(unit="huyen yen khanh"), row(unit="TP Tam Điệp")],
                phase=phase, scope=ninh_binh["p1"], officer=ninh_binh["officer"])
    client.force_login(ninh_binh["officer"])
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert page.count("huyen yen khanh → <strong>LĐLĐ huyện Yên Khánh (375)</strong>") == 1
    assert "TP Tam Điệp → <strong>LĐLĐ thành phố Tam Điệp (370)</strong>" in page


def test_an_ambiguous_name_lists_the_choices_on_the_row(ninh_binh, phase):
    job = check([row(unit="Ninh Bình")], phase=phase, scope=ninh_binh["p1"], officer=ninh_binh["officer"])
    message = job.report["errors"][0]["cells"][0]["message"]
    assert job.report["errors"][0]["row"] == FIRST
    assert message.startswith("Có 2 đơn vị ứng với “Ninh Bình”: ")
    assert "LĐLĐ tỉnh Ninh Bình (37)" in message
    assert "LĐLĐ thành phố Ninh Bình (369)" in message


def test_a_name_outside_the_scope_stays_an_error(ninh_binh, phase):
    """The same rows: read in Ninh Bình, refused in Yên Khánh (Tam Điệp is not below it) and for Bắc Giang's."""
    rows = [row(unit="Huyện Yên Thế"), row(unit="Thành phố Tam Điệp")]
    job = check(rows, phase=phase, scope=ninh_binh["p1"], officer=ninh_binh["officer"])
    assert [e["row"] for e in job.report["errors"]] == [FIRST]  # Yên Thế is in Bắc Giang
    job = check(rows, phase=phase, scope=ninh_binh["d1"], officer=ninh_binh["officer"])
    assert (job.rows_valid, job.rows_invalid) == (0, 2)


def test_a_merged_unit_name_is_read_as_its_successor_with_the_note(ninh_binh, tree, phase):
    old = make_unit(tree["d1"], code="375-0099", name="CĐCS Xí nghiệp cũ")
    Unit.objects.filter(pk=old.pk).update(is_active=False, merged_into=tree["g12"])
    job = check([row(unit="Xí nghiệp cũ")], phase=phase, scope=ninh_binh["p1"], officer=ninh_binh["officer"])
    assert job.rows_invalid == 0, job.report
    assert job.report["understood"] == [{
        "typed": "Xí nghiệp cũ", "unit": "CĐCS Công ty May Yên Khánh (375-0002)",
        "note": "“CĐCS Xí nghiệp cũ” đã sáp nhập vào “CĐCS Công ty May Yên Khánh”."}]

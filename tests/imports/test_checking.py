"""Every kind of bad row gets a clear Vietnamese message on its cell; good forms are accepted."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from sangkien.imports import services
from sangkien.imports.models import JobStatus
from sangkien.initiatives.models import Initiative
from sangkien.units.models import Unit
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    PhaseFactory,
    ProgrammeFactory,
    make_unit,
)
from tests.imports.conftest import row, xlsx_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "fields")]
FIRST = 6  # header on row 3, two example rows, data from row 6


def check(rows, *, phase, scope, officer, name="tong-hop.xlsx"):
    data = xlsx_file(rows, programme=phase.programme, phase=phase, scope=scope)
    job = services.create_import_job(upload=io.BytesIO(data), name=name, programme=phase.programme,
                                     unit=scope, actor=officer)
    return services.check_job(job.pk)


def errors(job) -> dict[int, dict[str, str]]:
    return {e["row"]: {c["column"]: c["message"] for c in e["cells"]} for e in job.report["errors"]}


BAD_ROWS = [
    # (overrides, column, words the message must contain)
    ({"author_full_name": ""}, "author_full_name", "Bắt buộc nhập"),
    ({"title": ""}, "title", "Bắt buộc nhập"),
    ({"description": "   "}, "description", "Bắt buộc nhập"),
    ({"sector_block": ""}, "sector_block", "Bắt buộc nhập"),
    ({"unit": ""}, "unit", "Bắt buộc chọn công đoàn cơ sở"),
    ({"author_phone": "", "author_email": ""}, "author_phone", "số điện thoại hoặc e-mail"),
    ({"author_phone": "12345"}, "author_phone", "Số điện thoại không hợp lệ"),
    ({"author_phone": "", "author_email": "hoa@@example"}, "author_email", "không phải địa chỉ e-mail"),
    ({"unit": "CDCS Cong ty May Yen Kanh"}, "unit", "Có phải: CĐCS Công ty May Yên Khánh (375-0002)"),
    ({"unit": "213-0001"}, "unit", "không thuộc phạm vi của bạn"),
    ({"unit": "CĐCS Trường Tiểu học Bố Hạ"}, "unit", "không thuộc phạm vi của bạn"),
    ({"unit": "Công ty không tồn tại XYZ"}, "unit", "Không tìm thấy đơn vị"),
    ({"benefit_vnd": "khoảng hai triệu"}, "benefit_vnd", "không phải là số tiền"),
    ({"benefit_vnd": "-500.000"}, "benefit_vnd", "không thể âm"),
    ({"applied_from": "2021/02/01"}, "applied_from", "không phải ngày theo dạng dd/mm/yyyy"),
    ({"applied_from": "31/02/2021"}, "applied_from", "không phải ngày theo dạng dd/mm/yyyy"),
    ({"recognised_on": "hôm qua"}, "recognised_on", "dd/mm/yyyy"),
    ({"applied_from": "01/06/2021"}, "applied_from", "phải nằm trong khoảng 01/01/2021 – 30/04/2021"),
    ({"applied_from": "01/06/2020", "applied_to": "31/12/2020"}, "applied_to", "phải nằm trong khoảng"),
    ({"applied_from": "01/03/2021", "applied_to": "01/02/2021"}, "applied_to", "phải sau ngày bắt đầu"),
    ({"title": "Sáng kiến " * 40}, "title", "Dài quá 300 ký tự"),
    ({"author_full_name": "Nguyễn " * 30}, "author_full_name", "Dài quá 150 ký tự"),
    ({"effect_summary": "x" * 2001}, "effect_summary", "Dài quá 2.000 ký tự"),
    ({"co_authors": "Trần Văn Bình, 0123"}, "co_authors", "Đồng tác giả “Trần Văn Bình”"),
    ({"co_authors": "; ".join(f"Người {i}" for i in range(11))}, "co_authors", "Tối đa 10 đồng tác giả"),
    ({"sector_block": "Khối khác"}, "sector_block", "Khối doanh nghiệp hoặc Khối hành chính sự nghiệp"),
    ({"field": "Thiên văn"}, "field", "Không có lĩnh vực “Thiên văn”"),
    ({"recognition_form": "Quyết định khen thưởng", "recognised_by": ""}, "recognised_by", "cấp có thẩm quyền"),
    ({"recognition_form": "Bằng khen miệng"}, "recognition_form", "không hợp lệ"),
    ({"is_trade_secret": "có lẽ"}, "is_trade_secret", "Có"),
]


@pytest.mark.parametrize(("overrides", "column", "words"), BAD_ROWS,
                         ids=[f"{c}-{i}" for i, (_o, c, _w) in enumerate(BAD_ROWS)])
def test_every_kind_of_bad_row_is_reported_on_its_cell(tree, phase, officer, overrides, column, words):
    job = check([row(), row(**overrides), row()], phase=phase, scope=tree["d1"], officer=officer)
    assert job.status == JobStatus.CHECKED
    assert (job.rows_total, job.rows_valid, job.rows_invalid) == (3, 2, 1)
    found = errors(job)
    assert list(found) == [FIRST + 1]
    assert column in found[FIRST + 1], found
    assert words in found[FIRST + 1][column]
    assert Initiative.objects.count() == 0  # checking saves nothing


def test_a_value_repeated_on_several_rows_gets_the_same_answer_on_each(tree, phase, officer):
    """Amounts, dates and e-mails are read once per import (issue 12, round 5): a bad value
    repeated on later rows, or in another date column, is reported on every cell it is in, and a
    good one keeps its value."""
    bad = {"benefit_vnd": "khoảng hai triệu", "applied_from": "31/02/2021", "author_email": "hoa@@example",
           "author_phone": ""}
    good = {"benefit_vnd": "1,5 triệu", "applied_from": "01/03/2021", "author_email": "hoa@example.vn"}
    rows = [row(**bad), row(**good), row(**bad, recognised_on="31/02/2021"), row(**good)]
    job = check(rows, phase=phase, scope=tree["d1"], officer=officer)
    found = errors(job)
    assert list(found) == [FIRST, FIRST + 2]
    assert set(found[FIRST]) == {"benefit_vnd", "applied_from", "author_email"}
    assert set(found[FIRST + 2]) == {"benefit_vnd", "applied_from", "author_email", "recognised_on"}
    assert found[FIRST + 2]["recognised_on"] == found[FIRST]["applied_from"] == \
        "“31/02/2021” không phải ngày theo dạng dd/mm/yyyy."
    assert found[FIRST + 2]["benefit_vnd"] == found[FIRST]["benefit_vnd"]
    assert [s["benefit_vnd"] for s in job.report["sample"]] == [1_500_000, 1_500_000]


def test_retired_unit_is_read_as_the_unit_it_merged_into(tree, phase, officer):
    """Issue 11: a retired unit's name or code resolves to its successor, with the note in the preview."""
    old = make_unit(tree["d1"], code="375-0099", name="CĐCS Xí nghiệp cũ")
    Unit.objects.filter(pk=old.pk).update(is_active=False, merged_into=tree["g12"])
    job = check([row(unit="375-0099")], phase=phase, scope=tree["d1"], officer=officer)
    assert job.rows_invalid == 0, job.report
    assert job.report["understood"][0]["note"] == "“CĐCS Xí nghiệp cũ” đã sáp nhập vào “CĐCS Công ty May Yên Khánh”."


@pytest.mark.parametrize("written", ["1.500.000", "1,5 triệu", "1500000 đ", "1 500 000", 1500000, 1500000.0])
def test_benefit_values_in_the_ways_people_write_them(tree, phase, officer, written):
    job = check([row(benefit_vnd=written)], phase=phase, scope=tree["d1"], officer=officer)
    assert job.rows_invalid == 0, job.report
    assert job.report["sample"][0]["benefit_vnd"] == 1_500_000


def test_cells_excel_changed_are_understood(tree, phase, officer):
    """A phone typed as a number loses its 0; dates typed in a date cell become dates."""
    job = check([row(author_phone=912345678, applied_from=dt.datetime(2021, 2, 1), applied_to="3/4/2021",
                     unit="375-0002", sector_block="khoi doanh nghiep")],
                phase=phase, scope=tree["d1"], officer=officer)
    assert job.rows_invalid == 0, job.report


def test_grassroots_officer_may_leave_the_unit_empty(tree, phase, fields):
    from sangkien.roles.models import Role
    from tests.factories import UserFactory, grant

    grassroots_officer = UserFactory()
    grant(grassroots_officer, tree["g12"], Role.SUPPORT_TEAM)
    job = check([row(unit="")], phase=phase, scope=tree["g12"], officer=grassroots_officer)
    assert job.rows_invalid == 0, job.report
    assert job.report["sample"][0]["unit"] == "CĐCS Công ty May Yên Khánh"


def test_duplicate_inside_the_file_is_an_error_on_the_second_row(tree, phase, officer):
    first = row(title="Cải tiến gá kẹp cổ áo")
    again = dict(first, row_no="9", title="  cải tiến  GÁ KẸP cổ áo. ")  # same once normalised
    job = check([first, row(), again], phase=phase, scope=tree["d1"], officer=officer)
    assert errors(job) == {FIRST + 2: {"title": "Trùng với dòng 6 trong tệp (cùng tác giả, cùng tên sáng kiến)."}}


def test_initiative_already_saved_is_reported_and_skipped_not_an_error(tree, phase, officer):
    saved = InitiativeFactory(phase=phase, unit=tree["g12"], title="Cải tiến gá kẹp cổ áo",
                              author=PersonFactory(phone="+84912000001"))
    job = check([row(author_phone="0912 000 001", title="Cải tiến gá kẹp cổ áo"), row()],
                phase=phase, scope=tree["d1"], officer=officer)
    assert job.rows_invalid == 0
    assert (job.rows_valid, job.rows_existing) == (1, 1)
    assert job.report["existing"] == [{"row": FIRST, "code": saved.tracking_code}]


def test_the_same_initiative_in_another_programme_or_outside_the_subtree_is_not_already_saved(tree, phase,
                                                                                                 officer):
    """The "already saved" look-up reads only the import's programme inside its unit's subtree, and
    names the oldest of two saved copies (issue 12, round 5: these look-ups written as statements)."""
    author = PersonFactory(phone="+84912000001")
    other = PhaseFactory(programme=ProgrammeFactory(organiser=tree["root"]))
    InitiativeFactory(phase=other, unit=tree["g12"], title="Cải tiến gá kẹp cổ áo", author=author)
    InitiativeFactory(phase=phase, unit=tree["g21"], title="Sổ tay điện tử", author=author)  # another district
    first = InitiativeFactory(phase=phase, unit=tree["g11"], title="Bảng theo dõi ca", author=author)
    InitiativeFactory(phase=phase, unit=tree["g12"], title="Bảng theo dõi ca", author=author)
    job = check([row(author_phone="0912 000 001", title="Cải tiến gá kẹp cổ áo"),
                 row(author_phone="0912 000 001", title="Sổ tay điện tử"),
                 row(author_phone="0912 000 001", title="BẢNG THEO DÕI CA.")],
                phase=phase, scope=tree["d1"], officer=officer)
    assert (job.rows_invalid, job.rows_valid, job.rows_existing) == (0, 2, 1)
    assert job.report["existing"] == [{"row": FIRST + 2, "code": first.tracking_code}]


def test_example_and_blank_rows_are_not_counted(tree, phase, officer):
    job = check([row(), {}, row()], phase=phase, scope=tree["d1"], officer=officer)
    assert job.rows_total == 2 and job.rows_invalid == 0


def test_a_file_without_the_template_columns_is_refused_as_a_whole(tree, phase, officer):
    data = "Tên,Tuổi,Quê\nHoa,30,Ninh Bình\n".encode()
    job = services.create_import_job(upload=io.BytesIO(data), name="khac.csv", programme=phase.programme,
                                     unit=tree["d1"], actor=officer)
    job = services.check_job(job.pk)
    assert job.status == JobStatus.REJECTED
    assert "Không tìm thấy dòng tiêu đề" in job.message


def test_old_xls_and_other_files_are_refused_at_upload(tree, phase, officer):
    from sangkien.imports.reading import FileRefused

    for name, words in (("tong-hop.xls", "lưu lại dưới dạng .xlsx"), ("anh.png", "Chỉ nhận tệp Excel")):
        with pytest.raises(FileRefused, match=words):
            services.create_import_job(upload=io.BytesIO(b"x"), name=name, programme=phase.programme,
                                       unit=tree["d1"], actor=officer)


def test_corrupt_xlsx_is_refused_with_a_message(tree, phase, officer):
    job = services.create_import_job(upload=io.BytesIO(b"PK not really a zip"), name="hong.xlsx",
                                     programme=phase.programme, unit=tree["d1"], actor=officer)
    job = services.check_job(job.pk)
    assert job.status == JobStatus.REJECTED and "Không đọc được tệp Excel" in job.message

"""The Ninh Bình letter (seeds/000): `stats` prints the letter's table."""

import csv
import io
import json

import pytest
from django.core.management import call_command

LETTER = {  # "Yên Khánh: 107 sáng kiến, Viên chức: 22 … và 5 sáng kiến … không đăng ký đơn vị"
    "375": 107, "37-VC": 22, "370": 21, "374": 17, "37-GD": 16, "376": 14, "372": 11,
    "37-NN": 6, "377": 5, "369": 2, "37-YT": 2, "373": 1, None: 5,
}


@pytest.fixture
def scenario(db):
    call_command("load_scenario", "ninh-binh-2021", stdout=io.StringIO())


def stats(*args):
    out = io.StringIO()
    call_command("stats", "--programme", "75-nghin-2021", "--unit", "37", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_json_approved_column_is_the_letters_table(scenario):
    doc = json.loads(stats("--format", "json", "--rank-by", "approved"))
    assert doc["programme"] == "75-nghin-2021"
    assert doc["unit"]["code"] == "37" and doc["unit"]["approved"] == 229
    assert doc["unit"]["participants"] == 358
    assert {r["code"]: r["approved"] for r in doc["rows"]} == LETTER
    assert [r["code"] for r in doc["rows"]] == list(LETTER)  # the letter's order
    assert doc["rows"][-1]["code"] is None and doc["rows"][-1]["rank"] is None
    assert [r["rank"] for r in doc["rows"][:12]] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 12]
    assert set(doc["rows"][0]) >= {"code", "name", "participants", "submitted", "approved",
                                   "benefit_vnd", "target", "pct_of_target", "rank"}


@pytest.mark.django_db
def test_csv_has_the_documented_columns(scenario):
    rows = list(csv.DictReader(io.StringIO(stats("--format", "csv"))))
    assert list(rows[0]) == ["code", "name", "participants", "submitted", "approved", "benefit_vnd",
                             "target", "pct_of_target", "rank"]
    assert sum(int(r["approved"]) for r in rows) == 229
    assert rows[-1]["code"] == "" and rows[-1]["approved"] == "5"


@pytest.mark.django_db
def test_date_range_before_the_window_counts_nothing(scenario):
    doc = json.loads(stats("--format", "json", "--from", "2021-01-01", "--to", "2021-03-09"))
    assert doc["unit"]["submitted"] == 0


@pytest.mark.django_db
def test_dashboard_of_ninh_binh(scenario, client):
    html = client.get("/thong-ke/75-nghin-2021/37/").content.decode()
    assert 'data-testid="total-approved">229<' in html
    assert 'data-testid="total-participants">358<' in html
    assert "LĐLĐ thành phố Ninh Bình" in html and "Chưa xác định đơn vị trực thuộc" in html

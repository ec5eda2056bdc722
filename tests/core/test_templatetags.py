"""Template filters: a window's end as the letters write it; money that never breaks."""

import datetime as dt

import pytest
from django.utils import translation

from sangkien.core.clock import end_of_day, local_datetime
from sangkien.core.templatetags.sangkien import deadline, vnd


@pytest.mark.parametrize(("language", "instant", "expected"), [
    ("vi", end_of_day(dt.date(2027, 1, 28)), "24h ngày 28/01/2027"),
    ("en", end_of_day(dt.date(2027, 1, 28)), "24:00 on 28/01/2027"),
    ("vi", local_datetime(2027, 1, 28, 17, 30), "17:30 ngày 28/01/2027"),
    ("en", local_datetime(2027, 1, 28, 17, 30), "17:30 on 28/01/2027"),
    ("vi", local_datetime(2021, 4, 21, 0, 0, 1), "00:00 ngày 21/04/2021"),
    # stored in UTC: 17:00 UTC on the 20th is local midnight at the end of 20/4
    ("vi", dt.datetime(2021, 4, 20, 17, 0, tzinfo=dt.UTC), "24h ngày 20/04/2021"),
])
def test_deadline_reads_like_the_letters(language, instant, expected):
    with translation.override(language):
        assert deadline(instant) == expected


def test_deadline_of_nothing_is_empty():
    assert deadline(None) == ""


@pytest.mark.parametrize(("language", "expected"), [
    ("vi", '<span class="money">9.152.000.000\u00a0đ</span>'),
    ("en", '<span class="money">9,152,000,000\u00a0VND</span>'),
])
def test_money_is_one_unbreakable_span(language, expected):
    with translation.override(language):
        assert vnd(9_152_000_000) == expected
    assert vnd(None) == ""

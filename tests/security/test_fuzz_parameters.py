"""Issue 9.9: no malformed GET parameter makes any page answer 500.

Bounded fuzz: every page of the language walk (tests/i18n/test_english.py:
every URL pattern with the objects to open it), as the organising committee
(who reaches every page) and anonymously, gets (1) every known query
parameter at once set to each hostile value, and (2) each parameter alone
set to a word where a number or a date is expected.  The parameter names are
read from the code (``request.GET`` look-ups) and from the GET forms' fields,
so a new parameter is fuzzed without editing this test.  About 2,000
requests, under a minute.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from sangkien.reports.forms import DashboardFilter, ExportForm
from sangkien.review.forms import QueueFilterForm
from sangkien.units.chooser import MAX_LEVELS
from tests.http import close_response
from tests.i18n.test_english import CASES, _login

HOSTILE = ["abc", "-1", "0", "99999999999999999999", "1e999", "\x00", "%", "'\"><svg onload=1>", "99/99/9999",
           "2021-02-30", " ", "[]", "ä" * 300]


def _parameter_names() -> list[str]:
    source = Path(django_settings.BASE_DIR) / "sangkien"
    pattern = re.compile(r"""request\.GET(?:\.get|\.getlist)?[\(\[]\s*["']([\w-]+)["']""")
    names = {m.group(1) for path in source.rglob("*.py") for m in pattern.finditer(path.read_text("utf-8"))}
    for form in (QueueFilterForm, DashboardFilter, ExportForm):
        names |= set(form.base_fields)
    names |= {f"unit_{n}" for n in range(1, MAX_LEVELS + 1)} | {f"q_{n}" for n in range(1, MAX_LEVELS + 1)}
    return sorted(names)


def _get_pages(world) -> list[str]:
    pages = []
    for name, cases in CASES.items():
        for case in cases:
            if case.method == "get" and name not in {"account_logout"}:
                pages.append(reverse(name, args=case.args(world)))
    return sorted(set(pages))


@pytest.mark.parametrize("who", ["committee", "anonymous"])
def test_no_malformed_parameter_gives_a_server_error(client, world, who):
    client.raise_request_exception = False
    _login(client, world, who)
    names = _parameter_names()
    assert {"changed", "don-vi", "trang", "giai-doan"} <= set(names), names
    failures: list[str] = []
    requests = 0
    for page in _get_pages(world):
        queries = [dict.fromkeys(names, value) for value in HOSTILE]
        queries += [{name: "abc"} for name in names]
        for query in queries:
            response = client.get(page, query)
            close_response(response)
            requests += 1
            if response.status_code >= 500:
                shown = f"every parameter = {next(iter(query.values()))!r:.30}" if len(query) > 1 else query
                failures.append(f"{response.status_code} {page} {shown}")
    assert requests > 500
    assert not failures, "\n".join(failures)

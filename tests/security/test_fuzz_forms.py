"""Issue 9.9: no malformed form field makes any page answer 500, and no garbage is saved.

Bounded fuzz of every posted form.  The forms are found, not listed: every page of the language walk
(tests/i18n/test_english.py CASES: every URL pattern with the objects to open it) is opened as the
organising committee, a member and anonymously, and each ``<form method="post">`` on it is read (its
action and fields, with the values the page filled in); the POST-only endpoints of CASES are added with
their fields.  Each form is then posted (1) with every field at once set to each hostile value, and (2)
with one field at a time set to a wrong-typed value, the other fields as the page filled them.  The
bodies are built by hand (``application/x-www-form-urlencoded`` bytes), so they can carry invalid UTF-8,
lone surrogates, NUL and repeated keys.  Django's test client does not check CSRF tokens (a missing token
is Django's own 403, tested by Django).  The admin's forms are Django's own and staff-only: not fuzzed.

Bounded: at most MAX_REQUESTS requests per person and a time budget; asserts that enough were made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Length
from django.urls import reverse

from tests.http import close_response
from tests.i18n.test_english import CASES, _login

HUGE = "FUZZ" * 262_144  # 1 MiB
#: Every field at once: each of these (bytes are sent as they are, undecoded).
EVERYWHERE: list[str | bytes] = [
    "", HUGE, "\x00", b"\xed\xa0\x80", b"\xff\xfe", "-1", "99999999999999999999", "1e999", "NaN", "abc",
    "'\"><svg onload=1>", "2021-02-30", "99/99/9999", " ", "[]", "ä" * 300,
]
#: One field at a time: wrong types (the 1 MiB value goes to every field at once, above).
ONE_AT_A_TIME: list[str | bytes] = ["abc", "-1", "99999999999999999999", "", "\x00"]
REPEATED = object()  #: the field sent twice, with two different values
MAX_REQUESTS = 4_000
BUDGET_SECONDS = 420
#: Actions not fuzzed, and why.
SKIPPED_ACTIONS = {
    reverse("account_logout"): "signs the person out: every later request would be anonymous",
}


@dataclass
class Form:
    """A posted form: its ``action`` (path) and its fields (name → values the page filled in)."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.action, tuple(sorted(self.fields))


class _FormReader(HTMLParser):
    """The ``<form method="post">`` of a page, with the values of their fields."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urlsplit(urljoin(self.page, a.get("action") or self.page))
                self._form = Form(action=action.path + (f"?{action.query}" if action.query else ""))
                self.forms.append(self._form)
            return
        if self._form is None or "name" not in a:
            if tag == "option" and self._select is not None and self._first_option is None:
                self._first_option = a.get("value", "")
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                self._form.fields.setdefault(name, [])
            elif kind not in {"file", "submit", "button", "image", "reset"}:
                self._form.fields.setdefault(name, []).append(a.get("value", ""))
            elif kind == "submit" and a.get("value"):
                self._form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self._form.fields.setdefault(name, [""])
        elif tag == "select":
            self._select, self._first_option = name, None
            self._form.fields.setdefault(name, [])
        elif tag == "button" and a.get("value"):
            self._form.fields.setdefault(name, [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] = [data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select is not None:
            if not self._form.fields[self._select] and self._first_option is not None:
                self._form.fields[self._select] = [self._first_option]
            self._select = None


def _encode(value: str | bytes) -> str:
    return quote_from_bytes(value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"))


def _body(fields: dict[str, list[str | bytes]]) -> bytes:
    return "&".join(f"{_encode(name)}={_encode(v)}" for name, values in fields.items() for v in values).encode()


def _forms(client, world, who: str) -> list[Form]:
    found: dict[tuple[str, tuple[str, ...]], Form] = {}
    for name, cases in CASES.items():
        for case in cases:
            url = reverse(name, args=case.args(world))
            if case.method == "post":
                form = Form(action=url, fields={k: [str(v)] if not isinstance(v, list) else [str(x) for x in v]
                                                for k, v in case.data(world).items() if isinstance(v, str | list)})
                found.setdefault(form.key(), form)
                continue
            if name == "account_logout":
                continue
            _login(client, world, who)
            response = client.get(url + case.query.format(mine=world["mine"].tracking_code))
            if response.streaming or "html" not in response.get("Content-Type", ""):
                close_response(response)
                continue
            reader = _FormReader(url)
            reader.feed(response.content.decode())
            for form in reader.forms:
                if urlsplit(form.action).path not in SKIPPED_ACTIONS:
                    found.setdefault(form.key(), form)
    return list(found.values())


def _variants(form: Form) -> list[dict[str, list[str | bytes]]]:
    base: dict[str, list[str | bytes]] = {k: list(v) or ["on"] for k, v in form.fields.items()}
    out = [{k: [value] for k in base} for value in EVERYWHERE]
    for name in base:
        for value in [*ONE_AT_A_TIME, REPEATED]:
            values: list[str | bytes] = ["1", "abc"] if value is REPEATED else [value]  # type: ignore[list-item]
            out.append({**base, name: values})
    return out


def _garbage_saved() -> list[str]:
    """Text columns holding the 1 MiB value, in any table of ours.

    (A NUL cannot be searched for portably: SQLite's LIKE stops at it, PostgreSQL refuses it; Django's
    text fields refuse it on input, ProhibitNullCharactersValidator.)
    """
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("sangkien.") or not model._meta.managed:
            continue
        for f in model._meta.get_fields():
            if (isinstance(f, models.CharField | models.TextField) and f.concrete
                    and model._default_manager.annotate(_n=Length(f.name)).filter(_n__gte=len(HUGE)).exists()):
                found.append(f"{model._meta.label}.{f.name}")
    return found


@pytest.mark.parametrize("who", ["committee", "member", "anonymous"])
def test_no_malformed_form_field_gives_a_server_error(client, world, who):
    client.raise_request_exception = False
    forms = _forms(client, world, who)
    actions = {urlsplit(f.action).path for f in forms}
    if who == "committee":
        assert reverse("roles:manage", args=["37"]) in actions and len(forms) >= 15, sorted(actions)
    failures: list[str] = []
    requests = 0
    started = time.monotonic()
    for form in forms:
        for fields in _variants(form):
            if requests >= MAX_REQUESTS or time.monotonic() - started > BUDGET_SECONDS:
                break
            _login(client, world, who)
            response = client.generic("POST", form.action, _body(fields),
                                      content_type="application/x-www-form-urlencoded")
            close_response(response)
            requests += 1
            if response.status_code >= 500:
                shown = {k: (v[0][:20] if isinstance(v[0], str | bytes) else v) if v else v
                         for k, v in fields.items()}
                failures.append(f"{response.status_code} POST {form.action} {shown!r:.300}")
    assert requests >= min(MAX_REQUESTS, 10 * len(forms)), (requests, len(forms))
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])
    assert not _garbage_saved()

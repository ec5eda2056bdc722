"""Every page in English shows no Vietnamese interface text (issue 8, item 4).

The world's user data is ASCII only (tests/i18n/conftest.py), so any
Vietnamese letter left on an English page — outside an element marked
``lang="vi"`` — is interface text someone forgot to mark or translate.  The
pages are found by walking the project's URL patterns: a new page without a
case in :data:`CASES` fails :func:`test_every_url_pattern_has_a_case`.
Files are checked too: the Excel template, the exports, the import result,
and the e-mail a member gets.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.http import close_response
from tests.i18n.pages import url_patterns, vietnamese_on_page, vietnamese_words

USERS = ("anonymous", "member", "committee", "unit_admin")


@dataclass
class Case:
    """One request: ``args`` for ``reverse``, GET ``query`` or POST ``data``; ``users`` who make it."""

    args: Callable[[dict], list[Any]] = lambda w: []
    method: str = "get"
    data: Callable[[dict], dict[str, Any]] = lambda w: {}
    query: str = ""
    users: tuple[str, ...] = USERS


def _code(key: str) -> Callable[[dict], list[Any]]:
    return lambda w: [w[key].tracking_code]


SLUG: Callable[[dict], list[Any]] = lambda w: [w["programme"].slug]  # noqa: E731


def _plan(w: dict) -> int:
    """A reorganisation plan for the province (its district renamed from 1/1/2021), previewed."""
    from sangkien.core.clock import now
    from sangkien.units.models import ReorganisationPlan
    from sangkien.units.reorganisation import PlanRow

    row = PlanRow(w["district"].code, "rename", dt.date(2021, 1, 1), new_name=f"{w['district'].name} 2",
                  line=2)
    plan = ReorganisationPlan.objects.create(created_at=now(), scope=w["province"], file_name="plan.csv",
                                             rows=[row.as_json()])
    return plan.pk
BAD_SUBMISSION = {"title": "", "description": "", "sector_block": "", "author_full_name": "",
                  "author_phone": "12", "author_email": "not-an-email", "benefit_vnd": "a lot",
                  "consent": ""}

#: URL name → the requests that show its pages (and its form errors).
CASES: dict[str, list[Case]] = {
    "home": [Case()],
    "set_language": [Case(method="post", data=lambda w: {"language": "en", "next": "/theo-doi/"})],
    # accounts (allauth)
    "account_login": [Case(), Case(method="post", data=lambda w: {"login": "an@example.vn", "password": "wrong"},
                                   users=("anonymous",)),
                      Case(method="post", data=lambda w: {"login": "", "password": ""}, users=("anonymous",))],
    "account_logout": [Case()],
    "account_inactive": [Case()],
    "account_signup": [Case(), Case(method="post", users=("anonymous",), data=lambda w: {
        "full_name": "", "phone": "123", "email": "an@example.vn", "password1": "short", "password2": "other"})],
    "account_reauthenticate": [Case(), Case(method="post", data=lambda w: {"password": "wrong"},
                                            users=("member",))],
    "account_request_reauthentication_code": [Case()],
    "account_confirm_reauthentication_code": [Case()],
    "account_email": [Case()],
    "account_email_verification_sent": [Case()],
    "account_change_password": [Case(), Case(method="post", users=("member",), data=lambda w: {
        "oldpassword": "wrong", "password1": "123", "password2": "456"})],
    "account_set_password": [Case()],
    "account_reset_password": [Case(), Case(method="post", data=lambda w: {"login": "nobody"},
                                            users=("anonymous",))],
    # our own account pages (SMS codes): without a reset under way they send the reader back a step
    "accounts_reset_password_code": [Case()],
    "accounts_reset_password_set": [Case()],
    "accounts_verify_phone": [Case()],
    # the person's own data (docs/privacy.md): the claim step sends back when nothing awaits an answer
    "accounts_my_data": [Case(), Case(method="post", users=("member",), data=lambda w: {
        "action": "profile", "full_name": "", "email": "not-an-email"}),
        Case(method="post", users=("member",), data=lambda w: {"action": "consent", "participation": "on",
                                                                "showcase": "on"})],
    "accounts_my_data_download": [Case(args=lambda w: ["xlsx"]), Case(args=lambda w: ["json"])],
    "accounts_delete": [Case(), Case(method="post", users=("member",), data=lambda w: {"confirm": "wrong"})],
    "accounts_claim": [Case()],
    "account_confirm_login_code": [Case()],
    "account_confirm_email": [Case(args=lambda w: ["bad-key"])],
    "account_verify_phone": [Case()],
    "account_change_phone": [Case(), Case(method="post", data=lambda w: {"phone": "12"}, users=("member",))],
    "account_reset_password_from_key_done": [Case()],
    "account_reset_password_from_key": [Case(args=lambda w: ["1", "bad-key"])],
    "account_reset_password_done": [Case()],
    # units
    "units:link": [Case(args=lambda w: ["375-0001"])],
    "units:qr": [Case(args=lambda w: ["375-0001"])],
    "units:poster": [Case(args=lambda w: ["375"])],
    "units:reorganise": [Case(args=lambda w: ["37"]),
                         Case(args=lambda w: ["37"], method="post", data=lambda w: {}, users=("unit_admin",))],
    "units:reorganise_plan": [Case(args=lambda w: ["37", _plan(w)])],
    # initiatives
    "initiatives:submit": [Case(args=SLUG, query="?don-vi=375-0001"),
                           Case(args=SLUG, method="post", data=lambda w: BAD_SUBMISSION, users=("member",))],
    "initiatives:unit_levels": [Case(query="?unit_1=37&unit_2=375&changed=2&q_3=khanh")],
    "initiatives:mine": [Case()],
    "initiatives:track": [Case(), Case(query="?ma=SK-NOTHERE"), Case(query="?ma={mine}")],
    "initiatives:detail": [Case(args=_code("mine")), Case(args=_code("copy"))],
    "initiatives:edit": [Case(args=_code("mine")),
                         Case(args=_code("mine"), method="post", data=lambda w: BAD_SUBMISSION, users=("member",))],
    "initiatives:attachment": [Case(args=lambda w: [w["mine"].tracking_code, w["attachment"].pk])],
    "initiatives:officer_home": [Case()],
    "initiatives:queue": [Case(args=SLUG), Case(args=SLUG, query="?trang_thai=approved")],
    "initiatives:bulk_review": [Case(args=SLUG, method="post", users=("committee",),
                                     data=lambda w: {"ma": [w["copy"].tracking_code], "decision": "returned"})],
    "initiatives:review": [Case(args=_code("copy"), method="post", data=lambda w: {"decision": "rejected"},
                                users=("committee",))],
    "initiatives:release_hold": [Case(args=_code("copy"), method="post", users=("committee",))],
    "initiatives:enter": [Case(args=lambda w: ["375", w["programme"].slug]),
                          Case(args=lambda w: ["375", w["programme"].slug], method="post",
                               data=lambda w: BAD_SUBMISSION, users=("committee",))],
    # reports, targets, roles
    "reports:home": [Case()],
    "reports:programme": [Case(args=SLUG)],
    "reports:dashboard": [Case(args=lambda w: [w["programme"].slug, "37"]),
                          Case(args=lambda w: [w["programme"].slug, "37"], query="?tu=05/04/2021&den=01/04/2021"),
                          Case(args=lambda w: [w["programme"].slug, "37"], query="?cay=2021-04-05")],
    "programmes:targets": [Case(args=lambda w: ["37", w["programme"].slug]),
                           Case(args=lambda w: ["37", w["programme"].slug], method="post",
                                data=lambda w: {f"u{w['district'].pk}": "-3"}, users=("unit_admin",))],
    "roles:manage": [Case(args=lambda w: ["37"]),
                     Case(args=lambda w: ["37"], method="post", data=lambda w: {"who": "nobody@example.vn"},
                          users=("unit_admin",))],
    # duplicates
    "duplicates:submit_panel": [Case(args=SLUG, method="post", data=lambda w: {
        "title": "Faster collar clamp", "description": "An aluminium clamp holds the collar while sewing."})],
    "duplicates:matches": [Case(args=_code("approved"))],
    "duplicates:mark": [Case(args=_code("approved"), method="post", data=lambda w: {"original": ""},
                             users=("committee",))],
    "duplicates:unmark": [Case(args=_code("copy"), method="post", data=lambda w: {"reason": ""},
                               users=("committee",))],
    "duplicates:report": [Case(args=SLUG)],
    # imports and exports
    "imports:upload": [Case(args=lambda w: ["375", w["programme"].slug]),
                       Case(args=lambda w: ["375", w["programme"].slug], method="post", users=("committee",),
                            data=lambda w: {"file": io.BytesIO(b"")})],
    "imports:template": [Case(args=lambda w: ["375", w["programme"].slug])],
    "imports:job": [Case(args=lambda w: [w["job"].pk]), Case(args=lambda w: [w["saved_job"].pk]),
                    Case(args=lambda w: [w["job"].pk], method="post", data=lambda w: {"mode": ""},
                         users=("committee",))],
    "imports:job_progress": [Case(args=lambda w: [w["job"].pk])],
    "imports:job_file": [Case(args=lambda w: [w["job"].pk]), Case(args=lambda w: [w["saved_job"].pk])],
    "imports:export_record": [Case(args=lambda w: [w["export"].pk])],
    "imports:export_file": [Case(args=lambda w: [w["export"].pk])],
    "imports:export": [Case(args=lambda w: [w["programme"].slug, "37"])],
    "imports:log": [Case(args=lambda w: ["37"])],
    # privacy
    "privacy:access_log": [Case()],
}
#: Patterns not walked here, and why.
NOT_PAGES = {
    "<unnamed favicon.ico>": "the site icon (an SVG, no text)",
}
ADMIN_PREFIX = "admin:"  # the admin is walked by test_admin_pages_in_english
#: "Accounts | user | Can add người dùng": permission names are rows that ``migrate`` writes once, in the
#: language active then (Django's own limitation); the group form lists them.
STORED_PERMISSION_NAME = re.compile(r"^[\w ]+ \| [^|]+ \| Can (add|change|delete|view) ")


def _login(client, world, who: str) -> None:
    client.logout()
    if who != "anonymous":
        client.force_login(world[who])


def _request(client, world, name: str, case: Case):
    url = reverse(name, args=case.args(world))
    query = case.query.format(mine=world["mine"].tracking_code)
    if case.method == "post":
        return url, client.post(url + query, case.data(world), follow=True)  # messages show after the redirect
    return url + query, client.get(url + query)


def test_every_url_pattern_has_a_case():
    """A page added without a case here fails: walk it in English first."""
    names = {name for name, _route in url_patterns()}
    missing = sorted(n for n in names if n not in CASES and n not in NOT_PAGES and not n.startswith(ADMIN_PREFIX))
    assert not missing, f"URL patterns without an English case in tests/i18n/test_english.py: {missing}"
    stale = sorted(n for n in CASES if n not in names)
    assert not stale, f"cases for URL names that no longer exist: {stale}"


def _english(client) -> None:
    client.cookies["django_language"] = "en"


def _text_of(response) -> str | None:
    """The text a reader gets from ``response``: HTML, CSV, XLSX cells; None for other files."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "html" in kind:
        return body.decode()
    if "csv" in kind:
        return body.decode("utf-8-sig")
    if "spreadsheet" in kind:
        book = load_workbook(io.BytesIO(body), read_only=True)
        cells = [f"{sheet.title}" for sheet in book.worksheets]
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += [str(c) for c in row if c is not None]
        return "\n".join(cells)
    return None


def test_every_page_in_english_has_no_vietnamese_interface_text(client, world, settings):
    """Anonymous, a member, the organising committee and a unit admin, on every page and form error."""
    settings.LANGUAGE_CODE = "vi"
    problems: list[str] = []
    seen = 0
    # primary keys are above 1,000,000 in tests: rendered through number formatting they read "2,700,000"
    localised_pks = {f"{obj.pk:,}" for obj in world.values() if hasattr(obj, "pk")}
    for name, cases in CASES.items():
        for case in cases:
            for who in case.users:
                _login(client, world, who)
                _english(client)
                url, response = _request(client, world, name, case)
                text = _text_of(response)
                close_response(response)
                if text is None:
                    continue
                seen += 1
                found = vietnamese_on_page(text) if "<" in text[:200] else [
                    line for line in text.splitlines() if vietnamese_words(line)]
                found += [f"identifier shown as a localised number: {n}" for n in localised_pks if n in text]
                problems += [f"{who} {case.method.upper()} {url} [{response.status_code}]: {t!r}" for t in found]
    assert seen > 100
    assert not problems, "Vietnamese interface text on English pages:\n" + "\n".join(problems)


def test_admin_pages_in_english(client, world, settings):
    """The admin (index, every model's list and add form, one object's change form) for a superuser."""
    from django.contrib import admin

    client.force_login(world["superuser"])
    _english(client)
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:app_list", args=[info[0]]))
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(type("R", (), {"user": world["superuser"]})()):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    problems = []
    for url in dict.fromkeys(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [f"{url}: {t!r}" for t in vietnamese_on_page(response.content.decode())
                     if not STORED_PERMISSION_NAME.match(t)]
    assert not problems, "Vietnamese interface text on English admin pages:\n" + "\n".join(problems)


def test_template_and_exports_in_english(client, world):
    """The Excel template, the XLSX and CSV exports and the import result file have English headers."""
    client.force_login(world["committee"])
    _english(client)
    slug = world["programme"].slug
    template = client.get(reverse("imports:template", args=["375", slug]))
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["Initiatives", "Instructions", "Lists"]
    assert [c.value for c in book["Initiatives"][3]][:3] == ["No.", "Author's full name *", "Phone number"]
    text = _text_of(template)
    assert not vietnamese_words(text), vietnamese_words(text)

    export = reverse("imports:export", args=[slug, "37"])
    rows = list(csv.reader(io.StringIO(_text_of(client.get(export + "?tai=initiatives.csv")))))
    assert rows[0][:2] == ["Tracking code", "Initiative title"]
    for kind in ("initiatives.xlsx", "unit_table.xlsx", "unit_table.csv"):
        text = _text_of(client.get(export + f"?tai={kind}"))
        assert text and not vietnamese_words(text), (kind, vietnamese_words(text))
    rows = list(csv.reader(io.StringIO(_text_of(client.get(export + "?tai=unit_table.csv")))))
    assert rows[0][:3] == ["Rank", "Unit code", "Unit"]
    result = _text_of(client.get(reverse("imports:job_file", args=[world["job"].pk])))
    assert "To correct" in result and not vietnamese_words(result), vietnamese_words(result)


@pytest.mark.parametrize("upload_language", ["en", "vi"])
def test_template_filled_in_english_imports(client, world, upload_language):
    """An English template, filled in with its own English lists, is read back — also by someone
    who has switched the site back to Vietnamese before uploading."""
    client.force_login(world["committee"])
    _english(client)
    slug = world["programme"].slug
    template = client.get(reverse("imports:template", args=["375", slug]))
    client.cookies["django_language"] = upload_language
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["Initiatives"]
    values = {"Author's full name *": "Hoang Van Em", "Phone number": "0912 000 009",
              "Grassroots union *": "375-0002", "Sector block *": "Enterprise block",
              "Initiative title *": "Safer cutting table 2", "Description of the initiative *": "A guard rail.",
              "Benefit value (VND/year)": "1,500,000", "Trade secret": "No"}
    headers = [c.value for c in sheet[3]]
    for header, value in values.items():
        sheet.cell(row=6, column=headers.index(header) + 1, value=value)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "filled.xlsx"
    response = client.post(reverse("imports:upload", args=["375", slug]), {"file": data})
    from sangkien.imports.models import ImportJob

    job = ImportJob.objects.order_by("-pk").first()
    assert response.status_code == 302 and job.rows_valid == 1 and job.rows_invalid == 0, job.report


def test_password_reset_email_in_vietnamese(client, world):
    """allauth has no Vietnamese: our catalogue translates its e-mail (subject, greeting, body)."""
    client.cookies["django_language"] = "vi"
    client.post(reverse("account_reset_password"), {"login": "an@example.vn"})
    message = mail.outbox[0]
    assert "Thư đặt lại mật khẩu" in message.subject
    assert "Xin chào từ" in message.body and "yêu cầu đặt lại mật khẩu" in message.body
    for english in ("Password Reset", "Hello from", "receiving this email", "Thank you for using"):
        assert english not in message.subject + message.body, english


def test_password_reset_email_in_english(client, world):
    """The e-mail a member gets follows the language of the page they asked from."""
    _english(client)
    client.post(reverse("account_reset_password"), {"login": "an@example.vn"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert not vietnamese_words(message.subject + message.body), (message.subject, message.body)


def test_language_switcher_keeps_you_on_the_same_page(client, world):
    """EN/VI posts to set_language with the current path and query; the reader lands on the same page."""
    page = f"/theo-doi/?ma={world['mine'].tracking_code}"
    html = client.get(page).content.decode()
    assert f'name="next" type="hidden" value="{page}"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert "Look up an initiative" in client.get(page).content.decode()
    response = client.post(reverse("set_language"), {"language": "vi", "next": page})
    assert response["Location"] == page
    assert "Tra cứu sáng kiến" in client.get(page).content.decode()


#: Texts that are the same in both languages by nature (names of things, formats, codes).
SAME_IN_BOTH = {"E-mail", "e-mail", "CSV", "Excel (.xlsx)", "English", "EN", "VI", "Tiếng Việt", "Zalo", "Word",
                "LibreOffice", "QR", "HTML", "UTF-8", "OK", "SVG",
                "Recipient:"}  # allauth's reauthentication form gives this field no label to translate


def _ascii_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", text)


def test_every_page_in_vietnamese_has_no_english_interface_text(client, world, settings):
    """A text that reads the same in Vietnamese and English, and is not user data, is untranslated (allauth…)."""
    from tests.i18n.pages import WORD_ATTRIBUTES, visible_texts

    data = _data_strings(world)
    problems: list[str] = []
    for name, cases in CASES.items():
        if name == "set_language":  # it switches the language: its page is the English one
            continue
        for case in cases:
            for who in case.users:
                pages = {}
                for language in ("vi", "en"):
                    _login(client, world, who)
                    client.cookies["django_language"] = language
                    url, response = _request(client, world, name, case)
                    close_response(response)
                    if "html" not in response.get("Content-Type", ""):
                        break
                    pages[language] = visible_texts(response.content.decode(), WORD_ATTRIBUTES)
                if len(pages) < 2:
                    continue
                english = set(pages["en"])
                for text in pages["vi"]:
                    if (text in english and text not in SAME_IN_BOTH and _ascii_words(text)
                            and not vietnamese_words(text) and not any(d in text for d in data)):
                        problems.append(f"{who} {case.method.upper()} {url}: {text[:120]!r}")
    assert not problems, "English text left on Vietnamese pages:\n" + "\n".join(dict.fromkeys(problems))


def _data_strings(world) -> list[str]:
    """User data of the world, and identifiers, that a page may show in both languages."""
    from sangkien.accounts.models import User
    from sangkien.initiatives.models import Initiative, Person
    from sangkien.programmes.models import Field, Programme
    from sangkien.units.models import Unit

    values = [*Unit.objects.values_list("name", flat=True), *Unit.objects.values_list("code", flat=True),
              *Programme.objects.values_list("name", flat=True), *Programme.objects.values_list("slug", flat=True),
              *Field.objects.values_list("name", flat=True), *Person.objects.values_list("full_name", flat=True),
              *Person.objects.values_list("email", flat=True), *User.objects.values_list("full_name", flat=True),
              *User.objects.values_list("email", flat=True), *Initiative.objects.values_list("title", flat=True),
              *Initiative.objects.values_list("tracking_code", flat=True),
              "Please add the benefit.", "Same clamp.", "Teachers share a spreadsheet.", "Parents read it.",
              "Saves time.", "An aluminium clamp", "Overcoming difficulties", "plan.txt", "initiatives.csv",
              "Machine operator", "Workshop 2", "example.vn", "/", "SK-", "a lot", "not-an-email", "nobody",
              "khanh", ".xlsx", ".csv", "Safer cutting table", "Shared lesson plans",
              # the import's row errors are stored in the language of the officer who uploaded (English)
              "Required.", "Enter the author's phone number"]
    return [v for v in values if v]


@pytest.mark.parametrize(("language", "expected", "unexpected"), [
    ("en", "Too many requests", "Quá nhiều"), ("vi", "Quá nhiều yêu cầu", "Too many")])
def test_too_many_requests_page_in_both_languages(client, world, settings, language, expected, unexpected):
    """allauth's rate limit answers with our 429 page, translated (its fallback is English only)."""
    settings.ACCOUNT_RATE_LIMITS = {"change_phone": "1/m/user"}
    client.force_login(world["member"])
    client.cookies["django_language"] = language
    url = reverse("account_change_phone")
    responses = [client.post(url, {"phone": "12"}) for _attempt in range(3)]
    page = responses[-1]
    assert page.status_code == 429
    html = page.content.decode()
    assert expected in html and unexpected not in html
    if language == "en":
        assert not vietnamese_on_page(html)


def test_background_jobs_work_in_the_language_of_whoever_queued_them(client, world, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    """A worker runs in Vietnamese (the default); an English reader's large import and export are English."""
    from sangkien.imports import exports, views
    from sangkien.imports.models import ExportRecord, ImportJob
    from tests.i18n.conftest import csv_upload

    monkeypatch.setattr(exports, "INLINE_XLSX_ROWS", 0)
    monkeypatch.setattr(views, "INLINE_BYTES", 0)
    client.force_login(world["committee"])
    _english(client)
    slug = world["programme"].slug
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.get(reverse("imports:export", args=[slug, "37"]) + "?tai=initiatives.xlsx")
        client.post(reverse("imports:upload", args=["375", slug]), {"file": csv_upload([
            {"author_full_name": "Ly Van Khoa", "unit": "375-0002", "sector_block": "enterprise",
             "title": "", "description": "No title."}])})
    assert len(queued) == 2
    translation.activate("vi")  # what the worker process has active
    for job in queued:
        job()
    record = ExportRecord.objects.latest("pk")
    with record.file.open("rb") as fh:
        header = next(load_workbook(fh, read_only=True).active.iter_rows(values_only=True))
    assert header[:2] == ("Tracking code", "Initiative title")
    job = ImportJob.objects.latest("pk")
    assert "Required." in str(job.report), job.report
    assert not vietnamese_words(str(job.report)), job.report

"""The browser test matrix (issue 8): every page × every role × both languages, on a phone.

For each URL pattern of the site (enumerated from the resolver), each of the
seven roles and each language, chromium at 390 px opens the page and checks:

- the status is the one the "Pages" table of ``docs/roles.md`` gives (that
  table is the single source of truth; never a 500);
- on a page that answers 200: no element wider than the viewport unless it sits
  in a horizontally scrollable box (``.table-wrap``), ``<html lang>`` is the
  language, and in English no Vietnamese letter outside a ``[lang=vi]`` element
  (all user data of the world is ASCII, so such a letter is untranslated
  interface text);
- axe-core (from node_modules, injected into the page) finds no serious or
  critical WCAG 2.1 A/AA violation — once per page and language, as the most
  privileged role that sees the page (axe is slow).

Pick a subset with ``-k``: the test ids read ``role/lang/page/objects``, e.g.
``-k "member/en/"``, ``-k "initiatives.detail"``, ``-k "/vi/ and imports."``.

To rewrite the "Pages" table after a change, run the matrix with
``SANGKIEN_MATRIX_RECORD=/tmp/pages.md``: it writes the table as observed
there, to review and paste into ``docs/roles.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.browser.conftest import PHONE
from tests.browser.matrix_world import ROLES, MatrixWorld

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ROLES_DOC = ROOT / "docs" / "roles.md"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LANGS = ("vi", "en")
TIMEOUT_MS = 20_000

#: Column headers of the "Pages" table, in the order of :data:`ROLES`.
ROLE_HEADERS = ("Anonymous", "Member", "Support team", "Grassroots administrator", "District reviewer",
                "Provincial administrator", "Organising committee")
#: The most privileged role first: axe runs as the first of these that gets a 200.
AXE_ORDER = tuple(reversed(ROLES))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Not in the matrix: Django's admin, the language switch (POST), the favicon,
#: static files, and allauth's own pages except those members use.
SKIPPED_PREFIXES = ("quan-tri-he-thong/", "i18n/", "favicon.ico", "static/")
ALLAUTH_KEPT = {"account_login", "account_signup", "account_logout", "account_reset_password",
                "account_change_password", "accounts_reset_password_code", "accounts_reset_password_set",
                "accounts_verify_phone", "accounts_my_data", "accounts_my_data_download", "accounts_delete",
                "accounts_claim", "privacy:access_log"}  # and our own pages under tai-khoan/

#: Answers that are not a full HTML page (files, htmx partials, POST-only
#: actions): only their status is checked.
NOT_PAGES = {
    "units:qr", "initiatives:unit_levels", "initiatives:review", "initiatives:bulk_review", "initiatives:attachment",
    "duplicates:submit_panel", "duplicates:mark", "duplicates:unmark", "imports:template", "imports:job_progress",
    "imports:job_file", "imports:export_file", "accounts_my_data_download", "initiatives:release_hold",
}

VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)

Kwargs = Callable[[MatrixWorld], tuple[dict[str, Any], str]]


def _sides(build: Callable[[Any], dict[str, Any]]) -> dict[str, Kwargs]:
    """``in``/``out`` variants: objects of Grassroots One (in every role's scope) and of Grassroots Two
    (in another province: out of every scope but the organising committee's)."""
    return _sides_with_world(lambda _w, s: build(s))


def _unit_and_programme() -> dict[str, Kwargs]:
    """``in``/``out`` variants of a page on a unit (Grassroots One / Two) in the open programme."""
    return _sides_with_world(lambda w, s: {"code": s.unit.code, "slug": w.open_programme.slug})


def _sides_with_world(build: Callable[[MatrixWorld, Any], dict[str, Any]]) -> dict[str, Kwargs]:
    """``in``/``out`` variants built from the world and the side (:class:`~tests.browser.matrix_world.Side`)."""
    return {side: (lambda w, s=side: (build(w, w.side(s)), "")) for side in ("in", "out")}


def _one(build: Callable[[MatrixWorld], dict[str, Any]], query: str = "") -> dict[str, Kwargs]:
    return {"-": lambda w: (build(w), query)}


def _slug(w: MatrixWorld) -> dict[str, Any]:
    return {"slug": w.open_programme.slug}


def _programmes() -> dict[str, Kwargs]:
    return {"open": lambda w: ({"slug": w.open_programme.slug}, ""),
            "closed": lambda w: ({"slug": w.closed_programme.slug}, "")}


NO_KWARGS: dict[str, Kwargs] = _one(lambda w: {})


def _plan(province: Any) -> Any:
    """A reorganisation plan uploaded for ``province`` (one rename; previewed, not applied)."""
    from sangkien.core.clock import now
    from sangkien.units.models import ReorganisationPlan

    plan = ReorganisationPlan.objects.filter(scope=province).first()
    if plan is None:
        row = {"code": province.code, "action": "rename", "effective_on": "2025-07-01", "new_parent_code": None,
               "new_code": None, "new_name": "Renamed federation", "merge_into_code": None, "kind": None, "line": 2}
        plan = ReorganisationPlan.objects.create(created_at=now(), scope=province, file_name="plan.csv", rows=[row])
    return plan

#: URL name → objects variant → ``world → (kwargs, query string)``. A pattern
#: missing here fails ``test_every_page_has_objects_and_a_row``: add the new page.
PAGES: dict[str, dict[str, Kwargs]] = {
    "account_login": NO_KWARGS,
    "account_signup": NO_KWARGS,
    "account_logout": NO_KWARGS,
    "account_reset_password": NO_KWARGS,
    "account_change_password": NO_KWARGS,
    "accounts_reset_password_code": NO_KWARGS,
    "accounts_reset_password_set": NO_KWARGS,
    "accounts_verify_phone": NO_KWARGS,
    "accounts_my_data": NO_KWARGS,
    "accounts_my_data_download": _one(lambda w: {"fmt": "xlsx"}),
    "accounts_delete": NO_KWARGS,
    "accounts_claim": NO_KWARGS,
    "home": NO_KWARGS,
    "reports:home": NO_KWARGS,
    "units:link": _one(lambda w: {"code": w.inside.unit.code}),
    "units:qr": _one(lambda w: {"code": w.inside.unit.code}),
    "units:poster": _sides(lambda s: {"code": s.unit.code}),
    "units:reorganise": {"in": lambda w: ({"code": w.province.code}, ""),
                         "out": lambda w: ({"code": w.other_province.code}, "")},
    "units:reorganise_plan": {"in": lambda w: ({"code": w.province.code, "pk": _plan(w.province).pk}, ""),
                              "out": lambda w: ({"code": w.other_province.code, "pk": _plan(w.other_province).pk},
                                                "")},
    "initiatives:submit": _programmes(),
    "initiatives:unit_levels": NO_KWARGS,
    "initiatives:mine": NO_KWARGS,
    "initiatives:track": {"-": lambda w: ({}, ""),
                          "code": lambda w: ({}, f"?ma={w.inside.returned.tracking_code}")},
    "initiatives:detail": _sides(lambda s: {"code": s.submitted.tracking_code}),
    "initiatives:edit": _sides(lambda s: {"code": s.returned.tracking_code}),
    "initiatives:attachment": _sides(lambda s: {"code": s.submitted.tracking_code,
                                                        "pk": s.attachment.pk}),
    "initiatives:officer_home": NO_KWARGS,
    "initiatives:queue": _one(_slug),
    "initiatives:bulk_review": _one(_slug),
    "initiatives:review": _sides(lambda s: {"code": s.submitted.tracking_code}),
    "initiatives:enter": _unit_and_programme(),
    "reports:programme": _programmes(),
    "reports:dashboard": _one(lambda w: {"slug": w.open_programme.slug, "code": w.province.code}),
    "programmes:targets": _unit_and_programme(),
    "roles:manage": _sides(lambda s: {"code": s.unit.code}),
    "duplicates:submit_panel": _one(_slug),
    "duplicates:matches": _sides(lambda s: {"code": s.submitted.tracking_code}),
    "duplicates:mark": _sides(lambda s: {"code": s.submitted.tracking_code}),
    "duplicates:unmark": _sides(lambda s: {"code": s.duplicate.tracking_code}),
    "initiatives:release_hold": _sides(lambda s: {"code": s.submitted.tracking_code}),
    "duplicates:report": {"programme": lambda w: (_slug(w), ""),
                          "in": lambda w: (_slug(w), f"?don-vi={w.inside.unit.code}"),
                          "out": lambda w: (_slug(w), f"?don-vi={w.outside.unit.code}")},
    "imports:upload": _unit_and_programme(),
    "imports:template": _unit_and_programme(),
    "imports:job": _sides(lambda s: {"pk": s.import_job.pk}),
    "imports:job_progress": _sides(lambda s: {"pk": s.import_job.pk}),
    "imports:job_file": _sides(lambda s: {"pk": s.import_job.pk}),
    "imports:export_record": _sides(lambda s: {"pk": s.export_record.pk}),
    "imports:export_file": _sides(lambda s: {"pk": s.export_record.pk}),
    "imports:export": _unit_and_programme(),
    "imports:log": _sides(lambda s: {"code": s.unit.code}),
    "privacy:access_log": NO_KWARGS,
}


# -- the URL patterns and the table of docs/roles.md ----------------------------------------

def url_patterns() -> list[tuple[str, str]]:
    """Every ``(name, route)`` the matrix covers, from the resolver, in URLconf order.

    Recurses into included URLconfs; skips :data:`SKIPPED_PREFIXES` and allauth's
    pages other than :data:`ALLAUTH_KEPT`. A pattern without a name is returned
    with an empty name (and fails the coverage test).
    """
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace or ""]))
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                name = ":".join(filter(None, [namespace, p.name or ""])) if p.name else ""
                if route.startswith("tai-khoan/") and name not in ALLAUTH_KEPT:
                    continue
                found.append((name, "/" + route))

    walk(get_resolver().url_patterns, "", "")
    return found


@dataclass(frozen=True)
class Row:
    """One row of the "Pages" table: ``expected[role]`` is ``200``, ``login``, ``302``, ``403``, ``404`` or ``405``."""

    name: str
    route: str
    objects: str
    expected: dict[str, str]


def read_pages_table(text: str | None = None) -> dict[tuple[str, str], Row]:
    """The "Pages" table of docs/roles.md, by ``(URL name, objects)``.

    :raises AssertionError: the section, its header or a cell is malformed.
    """
    text = ROLES_DOC.read_text(encoding="utf-8") if text is None else text
    section = text.split("\n## Pages", 1)
    assert len(section) == 2, "docs/roles.md has no '## Pages' section"
    lines = [ln.strip() for ln in section[1].splitlines() if ln.strip().startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert tuple(header[3:]) == ROLE_HEADERS, f"unexpected Pages header {header}"
    rows: dict[tuple[str, str], Row] = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        name, route, objects = (cells[0].strip("`"), cells[1].strip("`"), cells[2])
        values = cells[3:]
        assert len(values) == len(ROLES), f"docs/roles.md Pages row {name} {objects}: {len(values)} roles"
        for value in values:
            assert value in {"200", "login", "302", "403", "404", "405"}, f"{name}: bad cell {value!r}"
        rows[(name, objects)] = Row(name, route, objects, dict(zip(ROLES, values, strict=True)))
    return rows


def _rows_or_none() -> dict[tuple[str, str], Row]:
    """The table, or none at all when it cannot be read (every page test then says why)."""
    try:
        return read_pages_table()
    except (AssertionError, IndexError, OSError):
        return {}


def _cases() -> Iterator[Any]:
    rows = _rows_or_none()
    for role in ROLES:
        for lang in LANGS:
            for name, _route in url_patterns():
                for variant in PAGES.get(name, {}):
                    yield pytest.param(role, lang, name, variant, rows.get((name, variant)),
                                       id=f"{role}/{lang}/{name.replace(':', '.')}/{variant}")


def _axe_role(rows: dict[tuple[str, str], Row], name: str, variant: str) -> str | None:
    row = rows.get((name, variant))
    if row is None or name in NOT_PAGES:
        return None
    return next((role for role in AXE_ORDER if row.expected[role] == "200"), None)


# -- the tests --------------------------------------------------------------------------------

def test_every_page_has_objects_and_a_row():
    """Every URL pattern has objects to open it with (PAGES) and a row per objects in docs/roles.md."""
    rows = read_pages_table()
    patterns = url_patterns()
    problems = [f"{route}: a URL pattern without a name" for name, route in patterns if not name]
    problems += [f"{name} ({route}): no objects in PAGES of tests/browser/test_matrix.py"
                 for name, route in patterns if name and name not in PAGES]
    problems += [f"{name} ({variant}): no row in the Pages table of docs/roles.md"
                 for name, _route in patterns for variant in PAGES.get(name, {})
                 if (name, variant) not in rows]
    names = {name for name, _route in patterns}
    problems += [f"docs/roles.md Pages: {name} ({variant}) is not a URL pattern (or objects) any more"
                 for name, variant in rows if name not in names or variant not in PAGES.get(name, {})]
    routes = dict(patterns)
    problems += [f"docs/roles.md Pages: {name} shows route {row.route}, the URLconf has {routes[name]}"
                 for (name, _v), row in rows.items() if name in routes and row.route != routes[name]]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_bad_page(matrix_browser):
    """The page checks are not blind: a wide box (even without a viewport meta), Vietnamese
    on an English page, the wrong ``lang`` and an input without a label are all reported."""
    context = matrix_browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content("""<!DOCTYPE html><html lang="en"><head><title>Bad</title>
          <meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
          <h1>Bad page</h1><div style="width: 600px">wide</div>
          <div style="overflow-x: auto"><table style="width: 900px"><tr><td>fine</td></tr></table></div>
          <p>Gửi sáng kiến</p><p lang="vi">Tiếng Việt</p><input type="text"></main></body></html>""")
        problems = _check_page(page, "en") + _axe(page)
        wrong_lang = _check_page(page, "vi")
        page.set_content('<!DOCTYPE html><html lang="en"><title>No viewport</title><p>Fine</p></html>')
        no_viewport = _check_page(page, "en")
    finally:
        context.close()
    assert wrong_lang[0] == '<html lang="en">, expected "vi"', wrong_lang
    assert no_viewport[0].startswith('no <meta name="viewport"'), no_viewport
    assert [p for p in problems if p.startswith("wider than")] == [
        'wider than the 390 px viewport (wrap it in .table-wrap?): main > div [8..608 px] "wide"'], problems
    assert [p for p in problems if p.startswith("untranslated")] == ["untranslated: <p> Gửi sáng kiến"], problems
    assert any(p.startswith("axe label (critical") for p in problems), problems


class _Contexts:
    """One browser context (and one page) per role × language; the previous one is closed."""

    def __init__(self, browser: Any, base: str, cookies: dict[str, dict | None]) -> None:
        self.browser, self.base, self.cookies = browser, base, cookies
        self.key: tuple[str, str] | None = None
        self.context: Any = None
        self.page: Any = None
        self.errors: list[str] = []

    def get(self, role: str, lang: str) -> Any:
        if self.key != (role, lang):
            if self.context is not None:
                self.context.close()
            self.context = self.browser.new_context(
                viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                locale="vi-VN" if lang == "vi" else "en-GB", timezone_id="Asia/Ho_Chi_Minh",
                bypass_csp=True)  # axe-core is injected as an inline script (tests/browser/test_csp.py checks CSP)
            self.context.set_default_timeout(TIMEOUT_MS)
            from django.conf import settings

            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": self.base}]
            if self.cookies[role]:
                cookies.append({**self.cookies[role], "url": self.base})
            self.context.add_cookies(cookies)
            self.page = self.context.new_page()
            self.page.on("pageerror", lambda exc: self.errors.append(f"JavaScript error: {exc}"))
            self.key = (role, lang)
        self.errors.clear()
        return self.page

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


@pytest.fixture(scope="module")
def matrix(matrix_site, matrix_browser):
    base, world, cookies = matrix_site
    contexts = _Contexts(matrix_browser, base, cookies)
    state = {"base": base, "world": world, "contexts": contexts, "rows": _rows_or_none(),
             "observed": {}}
    yield state
    contexts.close()
    record = os.environ.get("SANGKIEN_MATRIX_RECORD")
    if record:
        Path(record).write_text(render_pages_table(state["observed"]) + "\n", encoding="utf-8")


OVERFLOW_JS = """(phoneWidth) => {
  // Without <meta name=viewport> a phone lays the page out 980 px wide: measure against the phone.
  const vw = Math.min(document.documentElement.clientWidth, phoneWidth);
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    if (el.classList.length) d += '.' + [...el.classList].join('.');
    const parent = el.parentElement ? el.parentElement.tagName.toLowerCase() : '';
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${parent} > ${d} [${Math.round(el.getBoundingClientRect().left)}..` +
           `${Math.round(el.getBoundingClientRect().right)} px] "${text}"`;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= vw + 1 && r.left >= -1) continue;
    if (getComputedStyle(el).visibility === 'hidden' || scrolls(el)) continue;
    if (wide.some((w) => w.contains(el))) continue;
    wide.push(el);
  }
  return {vw, scrollWidth: document.documentElement.scrollWidth, wide: wide.map(describe)};
}"""

UNTRANSLATED_JS = """(letters) => {
  const rx = new RegExp('[' + letters + ']');
  const vi = (el) => { const l = el.closest('[lang]'); return !!l && l.lang.toLowerCase().startsWith('vi'); };
  const found = [];
  if (rx.test(document.title)) found.push('<title> ' + document.title);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(el.tagName)) continue;
    if (rx.test(node.textContent) && !vi(el))
      found.push(`<${el.tagName.toLowerCase()}> ${node.textContent.trim().replace(/\\s+/g, ' ').slice(0, 70)}`);
  }
  for (const el of document.body.querySelectorAll(
      '[placeholder],[title],[aria-label],[alt],input[type=submit],input[type=button]')) {
    for (const attr of ['placeholder', 'title', 'aria-label', 'alt', 'value']) {
      const v = el.getAttribute(attr);
      if (v && rx.test(v) && !vi(el)) found.push(`${attr}="${v.slice(0, 70)}"`);
    }
  }
  return [...new Set(found)];
}"""

AXE_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + (n.failureSummary ?
      ' — ' + n.failureSummary.split('\\n').slice(1, 2).join('').trim() : '')),
    count: v.nodes.length,
  }));
}"""


def _fetch(page: Any, url: str) -> tuple[int, str]:
    """GET ``url`` with the page's cookies, without following redirects: status and Location."""
    response = page.context.request.get(url, max_redirects=0, fail_on_status_code=False)
    return response.status, response.headers.get("location", "")


def _open_page(page: Any, url: str) -> tuple[int, str]:
    """Navigate; return the first response's status and its Location.

    Chromium refuses to show an error answer without a body (a bare 403, 405);
    its status is then fetched without the browser.
    """
    from playwright.sync_api import Error

    try:
        response = page.goto(url, wait_until="load")
    except Error as exc:
        if "ERR_HTTP_RESPONSE_CODE_FAILURE" not in str(exc):
            raise
        return _fetch(page, url)
    request = response.request
    while request.redirected_from is not None:
        request = request.redirected_from
    first = request.response()
    return first.status, first.headers.get("location", "")


def _answer(status: int, location: str) -> str:
    """The table's word for a status: ``login`` for a redirect to the sign-in page."""
    if status in (301, 302) and urlsplit(location).path == reverse("account_login"):
        return "login"
    return "302" if status in (301, 302) else str(status)


@pytest.mark.parametrize(("role", "lang", "name", "variant", "row"), list(_cases()))
def test_page(matrix, role, lang, name, variant, row):
    """The page answers as docs/roles.md says and, when it answers 200, fits, speaks ``lang`` and passes axe."""
    kwargs, query = PAGES[name][variant](matrix["world"])
    url = matrix["base"] + reverse(name, kwargs=kwargs) + query
    contexts: _Contexts = matrix["contexts"]
    page = contexts.get(role, lang)
    problems: list[str] = []
    # Only the pages that should answer 200 are opened in the browser; the rest
    # (most of the matrix) need just their status, which is much faster.
    in_browser = name not in NOT_PAGES and row is not None and row.expected[role] == "200"
    status, location = _open_page(page, url) if in_browser else _fetch(page, url)
    answer = _answer(status, location)
    matrix["observed"].setdefault(f"{name}|{variant}", {})[role] = answer
    where = f"{role} ({lang}) GET {url.removeprefix(matrix['base'])}"
    if status >= 500:
        pytest.fail(f"{where}: server error {status}")
    assert row is not None, f"{where}: docs/roles.md has no Pages row for {name} ({variant}): add one"
    expected = row.expected[role]
    if answer != expected:
        problems.append(f"status {answer} (HTTP {status} {location}), docs/roles.md says {expected}")
    if answer == "200" and in_browser:
        problems += _check_page(page, lang)
        if role == _axe_role(matrix["rows"], name, variant) and variant == _first_axe_variant(matrix, name):
            problems += _axe(page)
    problems += contexts.errors
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def _first_axe_variant(matrix: dict[str, Any], name: str) -> str | None:
    """axe runs once per page and language: on the first objects variant some role sees."""
    return next((v for v in PAGES[name] if _axe_role(matrix["rows"], name, v)), None)


def _check_page(page: Any, lang: str) -> list[str]:
    problems: list[str] = []
    html_lang = page.evaluate("document.documentElement.lang")
    if html_lang != lang:
        problems.append(f'<html lang="{html_lang}">, expected "{lang}"')
    if not page.evaluate("!!document.querySelector('meta[name=viewport][content*=device-width]')"):
        problems.append('no <meta name="viewport" content="width=device-width, …">: phones lay it out 980 px wide')
    layout = page.evaluate(OVERFLOW_JS, PHONE["width"])
    for item in layout["wide"][:6]:
        problems.append(f"wider than the {layout['vw']} px viewport (wrap it in .table-wrap?): {item}")
    if layout["scrollWidth"] > layout["vw"] + 1 and not layout["wide"]:
        problems.append(f"the page scrolls sideways ({layout['scrollWidth']} px)")
    if lang == "en":
        untranslated = page.evaluate(UNTRANSLATED_JS, VIETNAMESE_LETTERS)
        problems += [f"untranslated: {text}" for text in untranslated[:12]]
        if len(untranslated) > 12:
            problems.append(f"untranslated: … and {len(untranslated) - 12} more")
    return problems


def _axe(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN_JS, AXE_TAGS)
    return [f"axe {v['id']} ({v['impact']}, {v['count']}×): {v['help']}: " + "; ".join(v["nodes"])
            for v in violations]


# -- the table as observed, for docs/roles.md ------------------------------------------------

def render_pages_table(observed: dict[str, dict[str, str]]) -> str:
    """Markdown of the "Pages" table as observed (``"name|objects"`` → role → answer; ``?``: not run)."""
    lines = ["| Page | URL pattern | Objects | " + " | ".join(ROLE_HEADERS) + " |",
             "|---|---|---|" + "---|" * len(ROLES)]
    for name, route in url_patterns():
        for variant in PAGES.get(name, {}):
            answers = observed.get(f"{name}|{variant}", {})
            cells = [answers.get(role, "?") for role in ROLES]
            lines.append(f"| `{name}` | `{route}` | {variant} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


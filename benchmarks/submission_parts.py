"""Where a submission's CPU goes, part by part, in process (issue 12).

    .venv/bin/python benchmarks/submission_parts.py            # SQLite, a throw-away file
    scripts/with-postgres.sh .venv/bin/python benchmarks/submission_parts.py

The set-up of ``benchmarks/submit_cost.py`` (a fresh database, the union tree,
a programme open now, members signed in); then each member loads the form
(``?don-vi=CODE``) and posts it through Django's test client.  Before the
run, the view's parts are wrapped with timers (``time.process_time()``, CPU
of this process): the page's rendering, the forms' construction and
validation, the multipart body, session and user, the unit chain, the
consent, the held files, the text checks, the writes, the hold check, the
audit row.  Prints, per submission: the form page's and the POST's CPU, and
each part's CPU and calls (parts may hold others: ``submit_initiative`` holds
the writes).  The timers cost a little themselves; compare parts with each
other, not with ``submit_cost.py``'s totals.  Checks every answer (200, then
302) and that the initiatives saved equal the posts.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import functools
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: (module, attribute, owner class or "") of each part timed, and its label.
PARTS = [
    ("django.core.handlers.base", "_get_response", "BaseHandler", "view and the middleware inside it"),
    ("django.contrib.auth", "get_user", "", "session and user"),
    ("django.http.request", "_load_post_and_files", "HttpRequest", "multipart body"),
    ("sangkien.initiatives.form_page", "serve_page", "", "form page (kept whole and filled since round 12)"),
    ("sangkien.initiatives.views", "SubmissionForm", "", "form construction"),
    ("django.forms.forms", "full_clean", "BaseForm", "form validation"),
    ("sangkien.initiatives.views", "participation_withdrawn", "", "consent"),
    ("sangkien.initiatives.views", "held_uploads", "", "held files"),
    ("sangkien.initiatives.views", "resolve_choice", "", "unit chain"),
    ("sangkien.initiatives.views", "_author_initial", "", "author fields' values"),
    ("sangkien.initiatives.form_page", "site", "", "navigation's role check (the kept page's key)"),
    ("sangkien.initiatives.views", "submit_initiative", "", "submit_initiative (all below)"),
    ("sangkien.duplicates.services", "refuse_resubmission", "DuplicateChecks", "text analysis + exact check"),
    ("sangkien.initiatives.services", "_save_submission", "", "the transaction's writes (all below)"),
    ("sangkien.duplicates.services", "claim_and_index", "DuplicateChecks", "claim + index entry"),
    ("sangkien.initiatives.services", "hold_if_implausible", "", "plausibility check"),
    ("sangkien.initiatives.services", "log_action", "", "audit row"),
]


def _wrap(spent: collections.Counter, calls: collections.Counter) -> None:
    """Replace each part of :data:`PARTS` by a timing wrapper."""
    for module_name, attribute, owner_name, label in PARTS:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, attribute)

        def timed(*args: Any, _original: Any = original, _label: str = label, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started
                calls[_label] += 1

        setattr(owner, attribute, functools.wraps(original)(timed))


def measure(n: int, warm: int) -> dict[str, Any]:
    """Time ``n`` submissions after ``warm`` unmeasured ones; the figures as a dict."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import submit_cost

    if not os.environ.get("DATABASE_URL"):  # a throw-away SQLite file, its folder removed when the process ends
        folder = tempfile.mkdtemp(prefix="sk-parts-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    submit_cost._setup(ROOT)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from sangkien.initiatives.models import Initiative

    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    _wrap(spent, calls)
    world = submit_cost._seed(n + warm)
    url = reverse("initiatives:submit", args=[world["programme"].slug])
    clients = []
    for member in world["members"]:
        client = Client()
        client.force_login(member)
        clients.append(client)
    page_cpu = post_cpu = 0.0
    for index, (client, member) in enumerate(zip(clients, world["members"], strict=True)):
        if index == warm:
            spent.clear()
            calls.clear()
        unit = world["grassroots"][index % len(world["grassroots"])]
        started = time.process_time()
        page = client.get(url, {"don-vi": unit.code})
        page_spent = time.process_time() - started
        assert page.status_code == 200, page.status_code
        data = submit_cost.submission_data(world, index, member, unit, page.content)
        started = time.process_time()
        response = client.post(url, data)
        post_spent = time.process_time() - started
        assert response.status_code == 302, response.status_code
        if index >= warm:
            page_cpu += page_spent
            post_cpu += post_spent
    saved = Initiative.objects.count()
    assert saved == n + warm, (saved, n + warm)  # nothing lost or doubled
    figures = {
        "vendor": connection.vendor, "n": n, "load_average": [round(x, 2) for x in os.getloadavg()],
        "form_page_ms": round(page_cpu * 1000 / n, 2), "post_ms": round(post_cpu * 1000 / n, 2),
        "parts": [{"part": label, "ms": round(spent[label] * 1000 / n, 3), "calls": round(calls[label] / n, 2)}
                  for _m, _a, _o, label in PARTS],
    }
    if connection.vendor == "postgresql":
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="measured submissions")
    parser.add_argument("--warm", type=int, default=20, help="unmeasured submissions first")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(args.n, args.warm)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        print(f"{figures['vendor']}, {args.n} submissions, load average {figures['load_average']}: "
              f"form page {figures['form_page_ms']} ms, POST {figures['post_ms']} ms of CPU a submission")
        for part in figures["parts"]:
            print(f"{part['ms']:8.3f} ms  {part['calls']:4.1f}×  {part['part']}")
    return figures


if __name__ == "__main__":
    main()

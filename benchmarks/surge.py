"""The deadline surge: members typing and submitting while officers work, and what a submission costs.

    scripts/with-postgres.sh .venv/bin/python benchmarks/surge.py
        [--members 2000] [--officers 8] [--grassroots 130000] [--workers 4] [--threads 4]
        [--cpu-seconds 30] [--cpu-users 8] [--stages 1x:60,5x:60,target:300]
        [--texts synthetic|syllables35] [--quick] [--bare-only] [--no-doc] [--json PATH] [--note TEXT]

Starts one gunicorn on 127.0.0.1 against DATABASE_URL (a throw-away
PostgreSQL from scripts/with-postgres.sh) with ``benchmarks.bare.settings``:
the product's settings plus a benchmark-only one-model form at ``/bare/``.
Signs in MEMBERS members and OFFICERS reviewers (real sessions; officers at
the national, provincial, district and grassroots level of one lineage) and
drives the server with Locust (as a library, bounded in count and time).
Members write synthetic initiatives (``benchmarks/synthetic.py``: 150–400
Zipf-distributed words on one of 300 topics, each with its own solution);
``--texts syllables35`` gives the texts of the runs before 30/11/2026 17:00
UTC, 120 syllables drawn from 35, which make every initiative look like
every other and the similar panel's search heavier than real texts do.

Two kinds of stage, each answer checked (status and a marker in the body):

* **CPU stages** (closed loop: ``--cpu-users`` users, no pause, for
  ``--cpu-seconds``): the CPU time of the gunicorn master + workers and of
  the PostgreSQL postmaster + backends, from ``/proc/<pid>/stat`` (utime +
  stime + cutime + cstime, so exited children count), sampled before and after
  the stage, divided by the successful submissions of the stage:

  - ``bare POST``: POST the bare form (one INSERT), CSRF token fetched once;
  - ``bare form+POST``: load the bare form, POST it;
  - ``submission``: load the submission form, POST it (the shape of issue 12's
    25× figure);
  - ``member``: load the form, 1–4 similar-panel POSTs (a short title alone is not sent) as the member types
    (see :func:`panel_texts`), POST it;
  - ``bare journey``: the member's journey at the floor (:class:`BareMember`): the bare form, as many
    bare htmx POSTs as the member's panel POSTs, the bare POST of the same texts.

  The five stages run in turn ``--cpu-rounds`` times (default 3), each round's
  stage ``--cpu-seconds`` / rounds long, and each stage's figures are the sums
  over its rounds (:func:`merge_rounds`): the CPU time a request takes on this
  machine drifts by a fifth between minutes, and stages run one after the other
  once each put that drift into the ratio.  Each round's ratios are kept too.

  The ratios: ``submission`` and ``member`` over ``bare POST`` (the issue's
  definition), ``submission`` over ``bare form+POST`` and ``member`` over
  ``bare journey`` (like for like).

* **Traffic stages** ``NAME:SECONDS`` (skipped by ``--bare-only``): members
  arriving at NAME × the modelled peak submission rate ("target" = 150/s), each
  doing the ``member`` journey, while the officers load their dashboards,
  review queues and officer home page.  ``floor:SECONDS``: the same arrivals at
  the target rate, each doing the journey's floor (:class:`BareMember`), no
  officers.  Each traffic stage also reports the load generator's own CPU and
  the share of the machine's cores kept busy.

At the end the initiatives (and bare notes) added to the database must equal
the submissions answered with a redirect to the tracking page: none lost,
none doubled.  ``--quick`` = 60 members, 8 s stages, one ``2x:8`` traffic
stage; ``--quick --bare-only`` gives the ratio in about a minute.

Prints one JSON line per stage and the section, writes the section "Deadline
surge (issues 5 and 12)" of docs/benchmarks.md (unless ``--no-doc``) and the
whole result to ``--json`` PATH.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from http.cookiejar import Cookie  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
import psycopg  # noqa: E402
from locust import FastHttpUser, constant, constant_throughput, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.docs_section import replace_section  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
HEADING = "## Deadline surge (issues 5 and 12)"
OLD_HEADING = "## Deadline surge (issue 5)"

# --- the peak model -------------------------------------------------------
TOTAL = 1_892_577              # initiatives of the whole programme (letter 001)
PHASE_SHARE = 0.55             # assumption: the larger phase holds 55 % of them
LAST_DAY_SHARE = 0.05          # assumption: 5 % of a phase arrives in its last 24 h
PEAK_HOUR_SHARE = 0.15         # assumption: 15 % of that day in the peak hour (22–23 h)
PEAK_PER_S = TOTAL * PHASE_SHARE * LAST_DAY_SHARE * PEAK_HOUR_SHARE / 3600
TARGET_PER_S = 150.0
PER_MEMBER_PER_S = 0.25        # in traffic stages each simulated member sends one initiative every 4 s
OFFICER_PER_S = 0.5            # each officer loads a page every 2 s
STOP_TIMEOUT_S = 600          # at a stage's end every member finishes the journey it is on (bounded)
PANELS = (2, 3, 4)             # similar-panel moments per submission, drawn uniformly (see panel_texts)
MIN_WORDS = 12                 # sangkien.duplicates.similar.MIN_WORDS: the form asks from this many words

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f]+)"')
WORDS = ["cải", "tiến", "quy", "trình", "kiểm", "tra", "chất", "lượng", "sản", "phẩm", "giảm", "thời", "gian",
         "chờ", "của", "công", "nhân", "tiết", "kiệm", "điện", "năng", "lắp", "đặt", "cảm", "biến", "tự", "động",
         "hoá", "ghi", "chép", "sổ", "sách", "bằng", "phần", "mềm"]
PANEL_MARKERS = ('data-testid="similar-list"', 'data-testid="similar-none"')

CONFIG: dict[str, Any] = {}
OK: dict[str, int] = {"submission": 0, "bare": 0, "form with a message": 0}


def free_port() -> int:
    """A free TCP port of 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cookie(name: str, value: str) -> Cookie:
    """An ``http.cookiejar`` cookie for 127.0.0.1 (geventhttpclient's jar takes those)."""
    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None,
                  {})


def panel_texts(title: str, description_words: list[str], count: int) -> list[tuple[str, str]]:
    """The (title, description) the similar panel is sent while a member types: 1–4 of ``count`` ∈ 2..4 moments.

    The form (templates/initiatives/_submit_body.html) triggers the panel on
    ``change from:#id_title`` (the title loses focus: once), ``keyup changed
    delay:1s from:#id_title`` (each pause ≥ 1 s while typing the title) and
    ``trix-change delay:1500ms`` (each pause ≥ 1.5 s in the description,
    at least once: after the last keystroke).  So at least 2 moments (title
    left + description finished; a pasted description), typically 3 (one
    pause in the description or in the title), 4 with one more pause.  The
    first is the finished title with an empty description; the others carry
    a growing part of the description, the last all of it.

    A moment is sent only when title + description hold :data:`MIN_WORDS`
    words or a list is already shown (``static/js/sangkien.js``: fewer words
    get only the hint the panel already shows).  So a title of fewer words
    alone is not sent; once one text was sent, every later one is.
    """
    moments = [(title, "")]
    for i in range(1, count):
        words = description_words[: math.ceil(len(description_words) * i / (count - 1))]
        moments.append((title, "<div>" + " ".join(words) + "</div>"))
    texts: list[tuple[str, str]] = []
    for typed_title, typed in moments:
        if texts or len((typed_title + " " + re.sub(r"<[^>]*>", " ", typed)).split()) >= MIN_WORDS:
            texts.append((typed_title, typed))
    return texts


def _status(response: Any) -> str:
    """The answer's status, or for none (status 0) what went wrong: the connection's error."""
    if response.status_code:
        return str(response.status_code)
    error = getattr(response, "error", None)
    return f"0 ({type(error).__name__}: {error})" if error else "0"


class _Signed(FastHttpUser):
    """A user with a session cookie (set on start) and the shared CSRF cookie."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.session_key()))
        self.client.cookiejar.set_cookie(_cookie("csrftoken", CONFIG["csrf_cookie"]))

    def session_key(self) -> str:
        return random.choice(CONFIG["members"])

    def page(self, url: str, name: str, marker: str) -> str | None:
        """GET ``url``; its text when the answer is 200 and holds ``marker``, else ``None`` (a failure)."""
        with self.client.get(url, name=name, catch_response=True) as response:
            text = response.text or ""
            if response.status_code != 200 or marker not in text:
                response.failure(f"{name}: {_status(response)}, marker {'found' if marker in text else 'missing'}")
                return None
            return text

    def post(self, url: str, data: dict[str, str], name: str, location: str, **headers: str) -> bool:
        """POST ``data``; true when answered 302 to a URL containing ``location``."""
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True,
                              headers={"Referer": CONFIG["base"] + url, **headers}) as response:
            if response.status_code == 302 and location in (response.headers.get("Location") or ""):
                return True
            response.failure(f"{name}: {_status(response)}")
            return False


class BarePost(_Signed):
    """POST the bare one-model form (token fetched once before the stage)."""

    @task
    def send(self) -> None:
        data = {"csrfmiddlewaretoken": CONFIG["csrf_token"], "title": _title(), "text": _description(40)}
        if self.post("/bare/", data, "bare submit", "?ok="):
            OK["bare"] += 1


class BareForm(_Signed):
    """Load the bare form, POST it."""

    @task
    def send(self) -> None:
        text = self.page("/bare/", "bare form", 'data-testid="bare-form"')
        csrf = CSRF.search(text or "")
        if not csrf:
            return
        data = {"csrfmiddlewaretoken": csrf.group(1), "title": _title(), "text": _description(40)}
        if self.post("/bare/", data, "bare submit", "?ok="):
            OK["bare"] += 1


def _title() -> str:
    return " ".join(random.choices(WORDS, k=8)).capitalize() + f" {random.randrange(10**9)}"


#: Topics the synthetic initiatives are about (several units improve the same thing, as in life).
TOPICS = 300


def _initiative() -> tuple[str, list[str]]:
    """A member's title and description words: a new synthetic initiative (``benchmarks.synthetic``:
    Zipf-distributed words, 150–400 of them, on one of :data:`TOPICS` topics, its own solution), or
    with ``--texts syllables35`` (the runs before 30/11/2026 17:00 UTC) 120 syllables drawn from
    :data:`WORDS`, under a title of 8 of them and a random number."""
    generator = CONFIG.get("generator")
    if generator is None:
        return _title(), random.choices(WORDS, k=120)
    CONFIG["generated"] = CONFIG.get("generated", 0) + 1
    doc = generator.document(f"surge-{CONFIG['generated']}", random.randrange(TOPICS))
    return doc.title, doc.description_text().split()


def _description(words: int) -> str:
    return " ".join(random.choices(WORDS, k=words))


def next_member() -> str:
    """The session key of the next member in turn (round robin over ``--members``)."""
    CONFIG["next_member"] = CONFIG.get("next_member", -1) + 1
    return CONFIG["members"][CONFIG["next_member"] % len(CONFIG["members"])]


class _Member(_Signed):
    """A member's browser, taken in turn by each journey (:meth:`take_next_member`)."""

    abstract = True

    def take_next_member(self) -> None:
        """Become the next member's browser: their session cookie, and no message cookie of the
        member before.  A member's browser follows the POST's redirect to the initiative's tracking
        page, which shows "Đã gửi sáng kiến…" once; this load test does not load that page, and
        until round 12 of issue 12 the message went on to the next member's form page (so that page
        was always rendered afresh, never served whole from the cache)."""
        jar = self.client.cookiejar
        for cookie in [cookie for cookie in jar if cookie.name == "messages"]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        jar.set_cookie(_cookie("sessionid", next_member()))

    def type_and_ask(self, url: str, name: str, markers: tuple[str, ...], csrf: str, referer: str, title: str,
                     words: list[str]) -> None:
        """POST to ``url`` what the form sends while the member types ``title`` and ``words``
        (:func:`panel_texts`, 2–4 moments to ask); each answer 200 with one of ``markers``."""
        for typed_title, typed in panel_texts(title, words, random.choice(PANELS)):
            with self.client.post(url, name=name, catch_response=True,
                                  data={"title": typed_title, "description": typed, "csrfmiddlewaretoken": csrf},
                                  headers={"HX-Request": "true", "Referer": CONFIG["base"] + referer}) as answer:
                if answer.status_code != 200 or not any(m in (answer.text or "") for m in markers):
                    answer.failure(f"{name}: {_status(answer)}")


class Submitter(_Member):
    """A signed-in member: open the form, send it (no similar panel).

    Each submission is sent by the next member in turn, as at a deadline, where a member sends one
    or two: a Locust user that kept one member would send hundreds in a day, and from the 11th on
    the plausibility rule's per-person limit holds them (an UPDATE and an audit row more each; until
    round 7 of issue 12, 3,221 of 3,421 submissions of a 20 s run were held).  ``--members`` at
    least the submissions of a run over 10 keeps every member under the limit.
    """

    panels = False

    @task
    def submit(self) -> None:
        self.take_next_member()
        url = f"/chuong-trinh/{CONFIG['programme']}/gui-sang-kien/"
        text = self.page(url, "form", 'name="submission_token"')
        if text and 'class="messages"' in text:  # another page's message: this one rendered afresh
            OK["form with a message"] += 1
        csrf, token = CSRF.search(text or ""), TOKEN.search(text or "")
        if not csrf or not token:
            return
        title, words = _initiative()
        if self.panels:
            self.type_and_ask(f"/chuong-trinh/{CONFIG['programme']}/sang-kien-tuong-tu/", "panel", PANEL_MARKERS,
                              csrf.group(1), url, title, words)
        data = {"csrfmiddlewaretoken": csrf.group(1), "submission_token": token.group(1),
                "author_full_name": "Nguyễn Văn Tải", "author_phone": f"09{random.randrange(10**8):08d}",
                "sector_block": "enterprise", "title": title, "description": "<p>" + " ".join(words) + "</p>",
                "benefit_vnd": "1,5 triệu"}
        for level, code in enumerate(random.choice(CONFIG["units"]), start=1):
            data[f"unit_{level}"] = code
        if self.post(url, data, "submit", "/sang-kien/"):
            OK["submission"] += 1


class Member(Submitter):
    """A signed-in member: open the form, type (1–4 similar-panel POSTs), send it."""

    panels = True


class BareMember(_Member):
    """The *floor* of a member's journey (traffic stage ``floor``): the bare form page, as many bare
    htmx POSTs (``/bare/panel/``: the body parsed, a fragment rendered, no search) as a member sends
    similar-panel POSTs for the same texts, then the bare form's POST of the same title and
    description (one INSERT).  The same requests, bodies and middleware as a member's, none of the
    product's work: what the machine, Django and the load generator cost at that rate."""

    @task
    def submit(self) -> None:
        self.take_next_member()
        text = self.page("/bare/", "bare form", 'data-testid="bare-form"')
        csrf = CSRF.search(text or "")
        if not csrf:
            return
        title, words = _initiative()
        self.type_and_ask("/bare/panel/", "bare panel", ('data-testid="similar-none"',), csrf.group(1), "/bare/",
                          title, words)
        data = {"csrfmiddlewaretoken": csrf.group(1), "title": title[:300], "text": "<p>" + " ".join(words) + "</p>"}
        if self.post("/bare/", data, "bare submit", "?ok="):
            OK["bare"] += 1


class Officer(_Signed):
    """A signed-in reviewer of one unit: their dashboard, review queue and officer home, in turn."""

    wait_time = constant_throughput(OFFICER_PER_S)

    def on_start(self) -> None:
        self.officer = CONFIG["officers"][CONFIG["next_officer"] % len(CONFIG["officers"])]
        CONFIG["next_officer"] += 1
        super().on_start()

    def session_key(self) -> str:
        return self.officer["session"]

    @task
    def dashboard(self) -> None:
        params = "" if random.random() < 0.5 else "?tu_ngay=01/01/2020&den_ngay=31/12/2030"
        self.page(f"/thong-ke/{CONFIG['programme']}/{self.officer['unit']}/{params}", "dashboard",
                  'class="officer-tools"')

    @task
    def queue(self) -> None:
        self.page(f"/can-bo/xet-duyet/{CONFIG['programme']}/?don-vi={self.officer['unit']}", "review queue",
                  'data-testid="queue-filters"')

    @task
    def home(self) -> None:
        self.page("/can-bo/", "officer home", 'data-testid="programme-lines"')


# --- CPU from /proc --------------------------------------------------------
def _ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of ``pid`` in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return sum(int(v) for v in fields[11:15])  # fields 14–17 of proc(5); [0] is field 3


def tree_cpu_ms(root: int) -> float:
    """CPU ms of ``root`` and its live descendants, exited children included (via cutime/cstime)."""
    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    ticks = _ticks(root) + sum(_ticks(child.pid) for child in children)
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_sample() -> dict[str, float]:
    """CPU ms so far of gunicorn (master + workers) and of PostgreSQL (postmaster + backends).

    ``CONFIG["cpu_pids"]`` (part → root pids), when set, replaces those two parts:
    benchmarks/scaling.py adds a proxy, PgBouncer, Redis, a replica or a second gunicorn.
    """
    parts = CONFIG.get("cpu_pids") or {"worker": [CONFIG["gunicorn_pid"]], "db": [CONFIG["postmaster_pid"]]}
    return {part: sum(tree_cpu_ms(pid) for pid in pids) for part, pids in parts.items()}


def postmaster_pid() -> int:
    """The PostgreSQL postmaster of DATABASE_URL: the parent of our own backend."""
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:  # asked while the backend lives
        return psutil.Process(conn.execute("SELECT pg_backend_pid()").fetchone()[0]).ppid()


def db_counts() -> dict[str, int]:
    """Rows in the initiatives and bare notes tables, and the initiatives held by the plausibility rule."""
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        return {"submission": conn.execute("SELECT count(*) FROM initiatives_initiative").fetchone()[0],
                "held": conn.execute("SELECT count(*) FROM initiatives_initiative WHERE held_at IS NOT NULL")
                .fetchone()[0],
                "bare": conn.execute("SELECT count(*) FROM bare_note").fetchone()[0]}


#: The CPU stages, in the order each round runs them: (name, user class, what counts as done).
CPU_STAGES = (("bare POST", BarePost, "bare"), ("bare form+POST", BareForm, "bare"),
              ("submission", Submitter, "submission"), ("member", Member, "submission"),
              ("bare journey", BareMember, "bare"))


def _percentiles(entry: Any) -> dict[str, Any]:
    return {"requests": entry.num_requests, "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99)}


def run_stage(name: str, users: dict[type, int], seconds: float, kind: str) -> dict[str, Any]:
    """Run ``users`` (class → count) for ``seconds``; figures of the stage, CPU per successful ``kind``.

    The CPU is sampled before the users start and after the last one has
    finished its journey (``stop_timeout``), so it covers every request sent.
    """
    classes = [cls for cls, count in users.items() if count]
    for cls in classes:
        cls.fixed_count = users[cls]
    env = Environment(user_classes=classes, host=CONFIG["base"], events=events, stop_timeout=STOP_TIMEOUT_S)
    runner = env.create_local_runner()
    before_ok, before_cpu, load = dict(OK), cpu_sample(), os.getloadavg()
    before_own, sampled = time.process_time(), time.monotonic()
    total = sum(users.values())
    runner.start(total, spawn_rate=min(200, max(10, total)))
    started = time.monotonic()
    gevent.sleep(seconds)
    in_window = OK[kind] - before_ok[kind]
    elapsed = time.monotonic() - started
    runner.quit()
    after_cpu, own_ms = cpu_sample(), (time.process_time() - before_own) * 1000
    wall_ms = (time.monotonic() - sampled) * 1000
    done = OK[kind] - before_ok[kind]
    out: dict[str, Any] = {
        "stage": name, "seconds": round(elapsed, 1), "users": {cls.__name__: n for cls, n in users.items()},
        "kind": kind, "succeeded": done, "per_s": round(in_window / elapsed, 1),
        "load_before": [round(x, 2) for x in load], "load_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_ms": {part: round(after_cpu[part] - before_cpu[part]) for part in after_cpu},
        # the load generator's own CPU (this process; gunicorn, a child, is not counted in it), and the
        # share of the machine's cores the server, the database and the load generator kept busy
        "load_generator_cpu_ms": round(own_ms),
        "cores_busy": round((sum(after_cpu.values()) - sum(before_cpu.values()) + own_ms)
                            / (wall_ms * (os.cpu_count() or 1)), 3),
        "requests": {name: _percentiles(entry) for (name, _method), entry in sorted(env.stats.entries.items())},
    }
    out["errors"] = sum(r["failures"] for r in out["requests"].values())
    out["error_kinds"] = {f"{e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()}
    out["cpu_ms_per"] = {part: round(ms / done, 2) if done else None for part, ms in out["cpu_ms"].items()}
    if done:
        out["cpu_ms_per"]["total"] = round(sum(out["cpu_ms"].values()) / done, 2)
    return out


def merge_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One CPU stage's figures from its rounds (:func:`run_stage` results of the same stage): the
    seconds, submissions, CPU and requests added, the CPU per submission of the sums, and of each
    request's percentiles the highest of the rounds' (Locust's percentiles cannot be merged)."""
    first = rounds[0]
    seconds = sum(r["seconds"] for r in rounds)
    done = sum(r["succeeded"] for r in rounds)
    cpu = {part: sum(r["cpu_ms"][part] for r in rounds) for part in first["cpu_ms"]}
    requests: dict[str, dict[str, Any]] = {}
    for r in rounds:
        for name, entry in r["requests"].items():
            into = requests.setdefault(name, {"requests": 0, "failures": 0, "p50_ms": 0, "p95_ms": 0, "p99_ms": 0})
            into["requests"] += entry["requests"]
            into["failures"] += entry["failures"]
            for key in ("p50_ms", "p95_ms", "p99_ms"):
                into[key] = max(into[key], entry[key] or 0)
    error_kinds: dict[str, int] = {}
    for r in rounds:
        for kind, count in r["error_kinds"].items():
            error_kinds[kind] = error_kinds.get(kind, 0) + count
    per = {part: round(ms / done, 2) if done else None for part, ms in cpu.items()}
    if done:
        per["total"] = round(sum(cpu.values()) / done, 2)
    return {"stage": first["stage"], "seconds": round(seconds, 1), "users": first["users"], "kind": first["kind"],
            "rounds": len(rounds), "succeeded": done,
            "per_s": round(sum(r["per_s"] * r["seconds"] for r in rounds) / seconds, 1) if seconds else 0,
            "load_before": first["load_before"], "load_after": rounds[-1]["load_after"], "cpu_ms": cpu,
            "requests": requests, "errors": sum(e["failures"] for e in requests.values()),
            "error_kinds": error_kinds, "cpu_ms_per": per}


def fetch_bare_token() -> None:
    """One GET of the bare form (before any stage): the CSRF cookie and token every bare POST reuses."""
    request = urllib.request.Request(CONFIG["base"] + "/bare/", headers={"Cookie": f"sessionid={CONFIG['members'][0]}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server on 127.0.0.1)
        cookie = re.search(r"csrftoken=([^;]+)", response.headers.get("Set-Cookie") or "")
        token = CSRF.search(response.read().decode())
    if not cookie or not token:
        sys.exit("surge: the bare form gave no CSRF cookie or token")
    CONFIG["csrf_cookie"], CONFIG["csrf_token"] = cookie.group(1), token.group(1)


def ratios(stages: list[dict[str, Any]]) -> dict[str, float | None]:
    """Total CPU per submission of ``submission``/``member`` over the bare stages (None if one is missing)."""
    per = {s["stage"]: s["cpu_ms_per"].get("total") for s in stages}

    def ratio(a: str, b: str) -> float | None:
        return round(per[a] / per[b], 1) if per.get(a) and per.get(b) else None

    return {"submission / bare POST": ratio("submission", "bare POST"),
            "member / bare POST": ratio("member", "bare POST"),
            "submission / bare form+POST": ratio("submission", "bare form+POST"),
            "member / bare journey": ratio("member", "bare journey")}


def _cmd(argv: list[str]) -> str:
    """The command line as run (without the output-only options)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in {"--json", "--note"}:
            skip = True
        elif arg != "--no-doc" and not arg.startswith(("--json=", "--note=")):
            kept.append(arg)
    return " ".join(["scripts/with-postgres.sh .venv/bin/python benchmarks/surge.py", *kept])


def _req(stage: dict[str, Any], name: str, key: str) -> str:
    entry = stage["requests"].get(name)
    return str(entry[key]) if entry else "—"


def section(result: dict[str, Any], args: argparse.Namespace) -> str:
    """The docs/benchmarks.md section of ``result`` (Markdown)."""
    a = result["settings"]
    lines = [
        HEADING, "",
        f"Measured {result['started']} UTC on this 2-core machine: gunicorn ({a['workers']} workers × "
        f"{a['threads']} threads, `benchmarks.bare.settings` = the product's settings plus the bare form), "
        f"PostgreSQL {result['postgres']}, and the Locust load generator on the same two cores, 127.0.0.1 only. "
        f"Load average (1/5/15 min) at the start {' / '.join(map(str, result['load_start']))}, at the end "
        f"{' / '.join(map(str, result['load_end']))}. {args.note}", "",
        f"Command: `{_cmd(args.argv)}`", "",
        "**CPU per submission** (closed loop, "
        f"{a['cpu_users']} users without pause, {a['cpu_seconds']} s a stage"
        + (f", run as {a['cpu_rounds']} rounds of {a['cpu_seconds'] / a['cpu_rounds']:g} s in which the "
           "stages take turns, so a change of the machine's speed during the run falls on each of them alike; "
           "a stage's figures are the sums over its rounds, its p95 the highest of its rounds'"
           if a.get("cpu_rounds", 1) > 1 else "")
        + "): CPU time of the gunicorn master + "
        "workers and of the PostgreSQL postmaster + backends, read from `/proc/<pid>/stat` (utime + stime, "
        "children included) before and after each stage, divided by the submissions the stage got through. "
        "*bare POST* = a signed-in user POSTs a one-model Django form that inserts one row (`benchmarks/bare/`, "
        "same server, same middleware); *bare form+POST* = loads that form first; *submission* = the submission "
        "form page + its POST (issue 12's 25× was this over the bare POST); *member* = the form, the "
        "similar-panel POSTs the form sends as the member types, then the POST: 2–4 moments to ask (uniform: "
        "at least the title leaving focus and the end of the description, one or two more for pauses ≥ 1 s in "
        "the title or ≥ 1.5 s in the description — the `hx-trigger` of "
        "`templates/initiatives/_submit_body.html`), of which the form sends those with at least "
        f"{MIN_WORDS} words of title + description or after a list is shown (`static/js/sangkien.js`): the "
        "title alone is sent only when it holds that many words: 1–4 POSTs; *bare journey* = the member's "
        "journey at the floor: the bare form page, as many bare htmx POSTs (`/bare/panel/`: the body parsed, a "
        "fragment rendered, no search) as the member's panel POSTs for the same texts, then the bare POST of the "
        "same title and description. "
        + ("Members' texts: synthetic initiatives of `benchmarks/synthetic.py` (150–400 Zipf-distributed words "
           f"on one of {TOPICS} topics, each with its own solution; titles of 7–12 syllables)."
           if a.get("texts", "synthetic") == "synthetic" else
           "Members' texts (`--texts syllables35`): 120 syllables drawn from 35, under a title of 8 of them "
           "and a number (10 words), so every initiative shares words with every other."), "",
        "| stage | submissions | per s | worker CPU ms / subm. | PostgreSQL CPU ms / subm. | total ms | "
        "POST p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["cpu_stages"]:
        post = "bare submit" if s["stage"].startswith("bare") else "submit"
        per = s["cpu_ms_per"]
        lines.append(f"| {s['stage']} | {s['succeeded']:,} | {s['per_s']} | {per['worker']} | {per['db']} | "
                     f"{per.get('total')} | {_req(s, post, 'p95_ms')} | {s['errors']} |")
    r = result["ratios"]
    lines += ["", "**Ratio** (total CPU per submission over the bare one-insert POST): submission "
              f"**{r['submission / bare POST']}×**, member with the similar panel **{r['member / bare POST']}×**; "
              f"like for like (form + POST each) {r['submission / bare form+POST']}×"
              + (f", member over the bare journey {r['member / bare journey']}×" if r.get("member / bare journey")
                 else "") + ". Target ≤ 4."
              + (" Each round's: submission " + ", ".join(f"{x['submission / bare POST']}×" for x in result["round_ratios"])
                 + "; member " + ", ".join(f"{x['member / bare POST']}×" for x in result["round_ratios"]) + "."
                 if len(result.get("round_ratios", [])) > 1 else ""), ""]
    if result["traffic_stages"]:
        lines += [
            "**Traffic** (open model): members arrive at N × the modelled peak (the 1× of the model below) or at "
            f"the 150/s target, each doing the *member* journey (one every {1 / PER_MEMBER_PER_S:.0f} s a member), "
            f"while {a['officers']} signed-in reviewers — at the national, provincial, district and grassroots "
            "level of one lineage — load their dashboard (officer tools shown), their review queue and the officer "
            f"home in turn, one page every {1 / OFFICER_PER_S:.0f} s each. Every answer is checked (status and a "
            "marker in the body). *floor* = the same arrivals at the target rate, each member doing the "
            "journey's floor instead (the bare form page, as many bare htmx POSTs as the member's panel POSTs for "
            "the same texts, the bare POST of the same title and description; no officers): what this machine, "
            "Django's request path and the load generator on the same cores allow. *Cores busy* = the CPU time "
            "of gunicorn, PostgreSQL and the load generator over the stage's wall time and the machine's "
            f"{os.cpu_count()} cores.", "",
            "| stage | target subm./s | achieved subm./s | submit p50 / p95 / p99 ms | form p95 | panel p95 | "
            "dashboard p95 | queue p95 | officer home p95 | errors | CPU ms / subm. (worker + DB) | "
            "load generator CPU ms / subm. | cores busy |",
            "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for s in result["traffic_stages"]:
            per = s["cpu_ms_per"]
            bare = "bare " if s["stage"] == "floor" else ""
            members = s["users"].get("Member") or s["users"].get("BareMember")
            own = s.get("load_generator_cpu_ms")
            lines.append(
                f"| {s['stage']} ({s['seconds']:.0f} s, {members} members) | {s['target_rate']} | "
                f"{s['per_s']} | {_req(s, bare + 'submit', 'p50_ms')} / {_req(s, bare + 'submit', 'p95_ms')} / "
                f"{_req(s, bare + 'submit', 'p99_ms')} | {_req(s, bare + 'form', 'p95_ms')} | "
                f"{_req(s, bare + 'panel', 'p95_ms')} | "
                f"{_req(s, 'dashboard', 'p95_ms')} | {_req(s, 'review queue', 'p95_ms')} | "
                f"{_req(s, 'officer home', 'p95_ms')} | {s['errors']} | {per['worker']} + {per['db']} | "
                f"{round(own / s['succeeded'], 2) if own is not None and s['succeeded'] else '—'} | "
                f"{s.get('cores_busy', '—')} |")
        lines += ["", "Model of the peak (assumptions, not measurements): of the programme's "
                  f"{TOTAL:,} initiatives, {PHASE_SHARE:.0%} fall in the larger phase, {LAST_DAY_SHARE:.0%} of a "
                  f"phase arrives in its last 24 hours and {PEAK_HOUR_SHARE:.0%} of that day in the peak hour, i.e. "
                  f"{PEAK_PER_S:.2f} submissions/s at 1×.", ""]
    c = result["count_check"]
    lines += [f"**Count check**: submissions answered with a redirect to their tracking page {c['ok_submission']:,}, "
              f"initiatives added to the database {c['db_submission']:,}; bare POSTs answered {c['ok_bare']:,}, "
              f"rows added {c['db_bare']:,} — "
              f"{'equal: none lost, none doubled' if c['passed'] else '**NOT EQUAL**'}. Held by the plausibility "
              f"rule: {c.get('held', 0):,} of the initiatives added."
              + (f" Form pages showing a message (each member's browser shows its own on its tracking page): "
                 f"{c['form_with_a_message']:,}." if "form_with_a_message" in c else ""), "",
              "What these figures mean for more web nodes, a read replica and a pooler: docs/scaling.md.", ""]
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000, help="signed-in members (sessions)")
    parser.add_argument("--officers", type=int, default=8, help="signed-in reviewers, over 4 levels")
    parser.add_argument("--grassroots", type=int, default=130_000,
                        help="grassroots unions added to the tree (the national size; 0: the 1,675 units of before)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cpu-seconds", type=float, default=30, help="length of each CPU stage")
    parser.add_argument("--cpu-users", type=int, default=8, help="concurrent users of the CPU stages")
    parser.add_argument("--cpu-rounds", type=int, default=3,
                        help="the five CPU stages run in turn this many times, --cpu-seconds shared among them")
    parser.add_argument("--stages", default="1x:60,5x:60,target:300",
                        help="traffic stages NAME:SECONDS; NAME = Nx (N × the modelled peak), target or floor")
    parser.add_argument("--quick", action="store_true", help="60 members, 8 s stages, one 2x:8 stage")
    parser.add_argument("--bare-only", action="store_true", help="only the CPU stages (the ratio), no traffic")
    parser.add_argument("--texts", choices=("synthetic", "syllables35"), default="synthetic",
                        help="members' texts: synthetic initiatives (benchmarks.synthetic), or 120 syllables of 35 "
                        "(the runs before 30/11/2026 17:00 UTC)")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="write the whole result there")
    parser.add_argument("--note", default="Other helpers' tests and benchmarks ran on the same two cores "
                        "meanwhile: absolute figures are a floor; the CPU per submission and the ratio are the "
                        "robust figures.")
    defaults = vars(parser.parse_args([]))
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.quick:
        for name, value in (("members", 60), ("cpu_seconds", 8), ("stages", "2x:8")):
            if getattr(args, name) == defaults[name]:
                setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Set up, serve, run the stages, check the counts, print and write the figures; the result."""
    args = parse(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to PostgreSQL (run through scripts/with-postgres.sh)")
    env = {**os.environ, "SANGKIEN_DEBUG": "0", "SANGKIEN_ALLOWED_HOSTS": "127.0.0.1",
           "SANGKIEN_AXES_ENABLED": "0", "SANGKIEN_LOG_LEVEL": "ERROR",
           "DJANGO_SETTINGS_MODULE": "benchmarks.bare.settings", "PYTHONPATH": str(ROOT)}
    setup = subprocess.run([PY, str(ROOT / "benchmarks" / "surge_setup.py"), str(args.members), str(args.officers),
                            str(args.grassroots)],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    CONFIG.update(json.loads(setup.stdout.strip().splitlines()[-1]), next_officer=0)
    if args.texts == "synthetic":
        from benchmarks.synthetic import Generator

        CONFIG["generator"] = Generator(seed=12)
    port = free_port()
    CONFIG["base"] = f"http://127.0.0.1:{port}"
    result: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).strftime("%d/%m/%Y %H:%M"),
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {k: getattr(args, k) for k in ("workers", "threads", "cpu_users", "cpu_seconds", "cpu_rounds",
                                                   "officers", "members", "texts", "grassroots")},
        "cpu_stages": [], "traffic_stages": []}
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        result["postgres"] = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    counts_before = db_counts()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "sangkien.wsgi:application",
                               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                               "--threads", str(args.threads), "--timeout", "60"], cwd=ROOT, env=env)
    try:
        CONFIG["gunicorn_pid"], CONFIG["postmaster_pid"] = server.pid, postmaster_pid()
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        fetch_bare_token()
        # Warm every worker (imports, templates, connections) before measuring.
        run_stage("warm-up", {BareForm: args.workers * 2, Member: args.workers * 2}, 3, "submission")
        n, secs = args.cpu_users, args.cpu_seconds / args.cpu_rounds
        parts: dict[str, list[dict[str, Any]]] = {}
        for _round in range(args.cpu_rounds):  # the stages in turn, so a drift of the machine's speed
            for name, user, kind in CPU_STAGES:  # falls on each of them alike
                stage = run_stage(name, {user: n}, secs, kind)
                print(json.dumps(stage, ensure_ascii=False), flush=True)
                parts.setdefault(name, []).append(stage)
        result["cpu_stages"] = [merge_rounds(parts[name]) for name, _user, _kind in CPU_STAGES]
        result["round_ratios"] = [ratios([parts[name][r] for name, _u, _k in CPU_STAGES])
                                  for r in range(args.cpu_rounds)]
        for spec in [] if args.bare_only else args.stages.split(","):
            name, seconds = spec.split(":")
            rate = TARGET_PER_S if name in {"target", "floor"} else float(name.rstrip("x")) * PEAK_PER_S
            members = max(1, math.ceil(rate / PER_MEMBER_PER_S))
            journey = BareMember if name == "floor" else Member  # the floor: bare journeys, no officers
            journey.wait_time = constant_throughput(PER_MEMBER_PER_S)
            try:
                users = {BareMember: members} if name == "floor" else {Member: members, Officer: args.officers}
                stage = run_stage(name, users, float(seconds), "bare" if name == "floor" else "submission")
            finally:
                journey.wait_time = constant(0)
            stage["target_rate"] = round(rate, 2)
            print(json.dumps(stage, ensure_ascii=False), flush=True)
            result["traffic_stages"].append(stage)
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts_after = db_counts()
    check = {"ok_submission": OK["submission"], "db_submission": counts_after["submission"] - counts_before["submission"],
             "ok_bare": OK["bare"], "db_bare": counts_after["bare"] - counts_before["bare"],
             "held": counts_after["held"] - counts_before["held"],
             "form_with_a_message": OK["form with a message"]}
    check["passed"] = check["ok_submission"] == check["db_submission"] and check["ok_bare"] == check["db_bare"]
    result.update(count_check=check, ratios=ratios(result["cpu_stages"]),
                  load_end=[round(x, 2) for x in os.getloadavg()])
    text = section(result, args)
    print(text)
    if not args.no_doc:
        doc = ROOT / "docs" / "benchmarks.md"
        current = doc.read_text(encoding="utf-8")
        replace_section(doc, HEADING if HEADING in current or OLD_HEADING not in current else OLD_HEADING, text)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()

"""The deadline surge: members submitting while officers watch dashboards.

    scripts/with-postgres.sh .venv/bin/python benchmarks/surge.py [--members 2000]
        [--workers 4] [--threads 4] [--stages 1x:60,2x:60,5x:60,target:300]

Starts gunicorn on 127.0.0.1 against DATABASE_URL (a throw-away PostgreSQL
from scripts/with-postgres.sh), signs in MEMBERS members (real sessions),
and drives it with Locust (as a library, bounded in count and time): each
member loads the submission form and sends it (form token, CSRF token,
unit chosen province → district → grassroots union), and officers load the
national, provincial, district and grassroots dashboards.  Stages are
"NAME:SECONDS" at a submission rate of NAME × the modelled peak, or
"target" = 150 submissions/s.  At the end the number of initiatives in the
database must equal the number of submissions answered with a redirect to
the tracking page: none lost, none doubled.

Prints the figures and writes them to docs/benchmarks.md (section
"Deadline surge (issue 5)").
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
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, constant_throughput, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")

# --- the peak model -------------------------------------------------------
TOTAL = 1_892_577              # initiatives of the whole programme (letter 001)
PHASE_SHARE = 0.55             # assumption: the larger phase holds 55 % of them
LAST_DAY_SHARE = 0.05          # assumption: 5 % of a phase arrives in its last 24 h
PEAK_HOUR_SHARE = 0.15         # assumption: 15 % of that day in the peak hour (22–23 h)
PEAK_PER_S = TOTAL * PHASE_SHARE * LAST_DAY_SHARE * PEAK_HOUR_SHARE / 3600
TARGET_PER_S = 150.0
PER_MEMBER_PER_S = 0.5         # each simulated member sends one initiative every 2 s

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f]+)"')
WORDS = ["cải", "tiến", "quy", "trình", "kiểm", "tra", "chất", "lượng", "sản", "phẩm", "giảm", "thời", "gian", "chờ", "của", "công", "nhân", "tiết", "kiệm", "điện", "năng", "lắp", "đặt", "cảm", "biến", "tự", "động", "hoá", "ghi", "chép", "sổ", "sách", "bằng", "phần", "mềm"]

CONFIG: dict = {}
SUCCESSES = {"count": 0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Member(FastHttpUser):
    """A signed-in member: open the form, send it."""

    wait_time = constant_throughput(PER_MEMBER_PER_S)

    def on_start(self) -> None:
        self.client.cookiejar.set_cookie(self._cookie("sessionid", random.choice(CONFIG["members"])))

    def _cookie(self, name: str, value: str):  # geventhttpclient's cookie jar takes http.cookiejar cookies
        from http.cookiejar import Cookie
        return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None,
                      False, None, None, {})

    @task
    def submit(self) -> None:
        url = f"/chuong-trinh/{CONFIG['programme']}/gui-sang-kien/"
        with self.client.get(url, name="form", catch_response=True) as page:
            csrf, token = CSRF.search(page.text or ""), TOKEN.search(page.text or "")
            if page.status_code != 200 or not csrf or not token:
                page.failure(f"form: {page.status_code}")
                return
        units = random.choice(CONFIG["units"])
        title = " ".join(random.choices(WORDS, k=8)).capitalize() + f" {random.randrange(10**9)}"
        data = {"csrfmiddlewaretoken": csrf.group(1), "submission_token": token.group(1),
                "author_full_name": "Nguyễn Văn Tải", "author_phone": f"09{random.randrange(10**8):08d}",
                "sector_block": "enterprise", "title": title,
                "description": "<p>" + " ".join(random.choices(WORDS, k=120)) + "</p>",
                "benefit_vnd": "1,5 triệu"}
        for level, code in enumerate(units, start=1):
            data[f"unit_{level}"] = code
        with self.client.post(url, data=data, name="submit", allow_redirects=False, catch_response=True,
                              headers={"Referer": CONFIG["base"] + url}) as response:
            if response.status_code == 302 and "/sang-kien/" in (response.headers.get("Location") or ""):
                SUCCESSES["count"] += 1
            else:
                response.failure(f"submit: {response.status_code}")


class Officer(FastHttpUser):
    """An officer refreshing dashboards (national, province, district, union)."""

    wait_time = constant_throughput(1)

    @task
    def dashboard(self) -> None:
        code = random.choice(CONFIG["dashboards"])
        params = "" if random.random() < 0.5 else "?tu_ngay=01/01/2020&den_ngay=31/12/2030"
        self.client.get(f"/thong-ke/{CONFIG['programme']}/{code}/{params}", name="dashboard")


def run_stage(name: str, rate: float, seconds: int, officers: int) -> dict:
    env = Environment(user_classes=[Member, Officer], host=CONFIG["base"], events=events, stop_timeout=60)
    runner = env.create_local_runner()
    members = max(1, math.ceil(rate / PER_MEMBER_PER_S))
    before = SUCCESSES["count"]
    Member.fixed_count, Officer.fixed_count = members, officers
    runner.start(members + officers, spawn_rate=min(100, max(10, members)))
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    in_window = SUCCESSES["count"] - before
    runner.quit()  # stop_timeout: every member finishes the submission it is sending
    out = {"stage": name, "target_rate": round(rate, 2), "seconds": round(elapsed), "members": members,
           "officers": officers, "submitted": SUCCESSES["count"] - before}
    out["submissions_per_s"] = round(in_window / elapsed, 1)
    for label in ("form", "submit", "dashboard"):
        entry = env.stats.get(label, "GET" if label != "submit" else "POST")
        out[label] = {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
        }
    return out


def db_count() -> int:
    code = ("import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','sangkien.settings');django.setup();"
            "from sangkien.initiatives.models import Initiative;print(Initiative.objects.count())")
    return int(subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout)


def write_doc(results: list[dict], args: argparse.Namespace, total_ok: int, in_db: int) -> str:
    lines = [
        "## Deadline surge (issue 5)", "",
        f"Measured {dt.date.today():%d/%m/%Y} on this 2-core machine: gunicorn ({args.workers} workers × "
        f"{args.threads} threads), PostgreSQL 15 and the Locust load generator all on the same two cores, "
        "127.0.0.1 only.", "",
        "Command: `scripts/with-postgres.sh .venv/bin/python benchmarks/surge.py "
        f"--members {args.members} --workers {args.workers} --threads {args.threads} --stages {args.stages}`", "",
        "Model of the peak (assumptions, not measurements): of the programme's "
        f"{TOTAL:,} initiatives, {PHASE_SHARE:.0%} fall in the larger phase, {LAST_DAY_SHARE:.0%} of a phase "
        f"arrives in its last 24 hours and {PEAK_HOUR_SHARE:.0%} of that day in the peak hour, i.e. "
        f"{PEAK_PER_S:.2f} submissions/s at 1×. Each submission is two requests (load the form, send it); "
        "officers load dashboards at 1 request/s each.", "",
        "| stage | target subm./s | achieved subm./s | submit p50 / p95 / p99 ms | form p95 ms | dashboard p95 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        errors = r["form"]["failures"] + r["submit"]["failures"] + r["dashboard"]["failures"]
        lines.append(f"| {r['stage']} ({r['seconds']} s, {r['members']} members) | {r['target_rate']} | "
                     f"{r['submissions_per_s']} | {r['submit']['p50_ms']} / {r['submit']['p95_ms']} / "
                     f"{r['submit']['p99_ms']} | {r['form']['p95_ms']} | {r['dashboard']['p95_ms']} | {errors} |")
    lines += ["", f"Successful submissions: {total_ok:,}; initiatives in the database afterwards: {in_db:,} "
              f"({'equal: none lost, none doubled' if total_ok == in_db else 'NOT EQUAL'}).", ""]
    section = "\n".join(lines)
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start = text.find("## Deadline surge (issue 5)")
    if start >= 0:
        end = text.find("\n## ", start + 5)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")
    return section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--stages", default="1x:60,2x:60,5x:60,target:300")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL (run through scripts/with-postgres.sh)")
    env = {**os.environ, "SANGKIEN_DEBUG": "0", "SANGKIEN_ALLOWED_HOSTS": "127.0.0.1",
           "SANGKIEN_AXES_ENABLED": "0", "SANGKIEN_LOG_LEVEL": "ERROR"}
    setup = subprocess.run([PY, str(ROOT / "benchmarks" / "surge_setup.py"), str(args.members)], cwd=ROOT,
                           env=env, capture_output=True, text=True, check=True)
    CONFIG.update(json.loads(setup.stdout.strip().splitlines()[-1]))
    port = free_port()
    CONFIG["base"] = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "sangkien.wsgi:application",
                               "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                               "--threads", str(args.threads), "--timeout", "60"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        results = []
        for stage in args.stages.split(","):
            name, seconds = stage.split(":")
            rate = TARGET_PER_S if name == "target" else float(name.rstrip("x")) * PEAK_PER_S
            result = run_stage(name, rate, int(seconds), args.officers)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    in_db = db_count()
    print(write_doc(results, args, SUCCESSES["count"], in_db))


if __name__ == "__main__":
    main()

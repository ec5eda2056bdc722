"""Page weight and time to usable of the submission form on a slow phone.

    .venv/bin/python benchmarks/page_weight.py [--runs 3] [--db /tmp/sk-weight.sqlite3]

Builds a small world in a throw-away SQLite database (the national unit
tree, the Ninh Bình demo with its member, the open demo programme: what
`make run` loads), then starts two servers on free ports of 127.0.0.1:

- **production**: scripts/serve.sh, exactly what `make run` runs (gunicorn,
  DEBUG off, WhiteNoise with hashed Brotli/gzip assets);
- **baseline**: Django's development server with the development settings
  (`make dev`; what `make run` served before issue 8: files as they are in
  node_modules, uncompressed).

For each server and run, a fresh Chromium context (Debian's chromium through
Playwright, 390 px phone viewport) signs the demo member in, empties the
browser cache, turns on the slow-phone profile through the DevTools protocol
(`Network.emulateNetworkConditions`: 400 kbit/s down and up, 400 ms latency;
`Emulation.setCPUThrottlingRate`: 4×) and opens the submission form with the
unit chosen (`?don-vi=375-0001`, as the QR link does).

Figures:
- **transferred**: the sum over every response of the page load of
  `Network.loadingFinished.encodedDataLength` (bytes on the wire: headers +
  encoded body); per asset also the encoded and decoded body sizes
  (Resource Timing) and the Content-Encoding;
- **usable**: milliseconds from the start of navigation until the member
  can type into the form and send it: every stylesheet applied, the title
  input rendered and taking the focus, the submit button enabled;
- **editor ready**: until, in addition, the description editor (Trix) is
  initialised and htmx is loaded (the unit chooser and the
  similar-initiatives panel use it): the whole form works.
  Both polled every 25 ms inside the page.

Budget (issue 8, item 12): ≤ 150 KB transferred, usable within 3 s; the
editor-ready time is reported against 3 s too.  Medians of the runs.  Prints the figures and writes them to
docs/benchmarks.md (section "Page weight: the submission form (issue 8)").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SECTION = "## Page weight: the submission form (issue 8)"
LOGIN, PASSWORD = "0912 000 001", "sangkien-demo-2021"
FORM_PATH = "/chuong-trinh/sang-kien-demo/gui-sang-kien/?don-vi=375-0001"
KBIT = 1000 / 8  # bytes per second per kbit/s
PROFILE = {"latency_ms": 400, "down_kbps": 400, "up_kbps": 400, "cpu_slowdown": 4}
BUDGET_BYTES, BUDGET_MS = 150 * 1024, 3000
START_TIMEOUT = 240
USABLE_JS = """
() => {
  window.__usableAt = null;
  window.__readyAt = null;
  const check = () => {
    const title = document.getElementById("id_title");
    const button = document.querySelector("form.submission-form button[type=submit]");
    const styled = [...document.querySelectorAll("link[rel=stylesheet]")].every((link) => link.sheet);
    if (window.__usableAt === null && title && button && !button.disabled && styled
        && title.getClientRects().length) {
      title.focus();
      if (document.activeElement === title) window.__usableAt = performance.now();
    }
    const editor = document.querySelector("trix-editor");
    if (window.__usableAt !== null && editor && editor.editor && window.htmx) {
      window.__readyAt = performance.now();
      return;
    }
    setTimeout(check, 25);
  };
  check();
}
"""


def clean_env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SANGKIEN_", "DATABASE_", "DJANGO_", "HOST", "PORT"))}
    return {**base, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(database: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env(DATABASE_URL=database),
                   check=True, timeout=900, stdout=subprocess.DEVNULL)


def build_world(path: Path) -> str:
    """Migrate and load the demo into ``path`` unless it is already there; return its URL."""
    database = f"sqlite:///{path}"
    if not path.exists():
        manage(database, "migrate", "--noinput", "-v0")
        manage(database, "load_national_units")
        manage(database, "load_scenario", "ninh-binh-2021")
    manage(database, "load_scenario", "open-demo")
    return database


def wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"no answer on {base} after {START_TIMEOUT} s:\n{log.read_text()}")


def start_servers(database: str, tmp: Path) -> dict[str, tuple[str, subprocess.Popen, Path]]:
    servers = {}
    port = free_port()
    log = tmp / "production.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
            env=clean_env(HOST="127.0.0.1", PORT=str(port), PY=sys.executable, DATABASE_URL=database,
                          SANGKIEN_STATIC_ROOT=str(tmp / "static"),
                          SANGKIEN_SECRET_KEY_FILE=str(tmp / "secret-key")))
    servers["production"] = (f"http://127.0.0.1:{port}", process, log)
    port = free_port()
    log = tmp / "baseline.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env=clean_env(DATABASE_URL=database, SANGKIEN_PUBLIC_URL=f"http://127.0.0.1:{port}",
                          SANGKIEN_AXES_ENABLED="0"))
    servers["baseline"] = (f"http://127.0.0.1:{port}", process, log)
    for base, process, log in servers.values():
        wait_until_up(base, process, log)
    return servers


def stop_servers(servers) -> None:
    for _base, process, _log in servers.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    for _base, process, _log in servers.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def measure(browser, base: str, *, cold: bool = True) -> dict:
    """One load of the form on the slow-phone profile; ``cold``: with the browser cache emptied first."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(base + "/tai-khoan/login/")
        page.fill("input[name=login]", LOGIN)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form[action*='/tai-khoan/login/'] button[type=submit]").click()
        if "/tai-khoan/login/" in page.url:
            raise SystemExit("sign-in failed")
        page.goto("about:blank")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if cold:
            cdp.send("Network.clearBrowserCache")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": PROFILE["latency_ms"],
            "downloadThroughput": PROFILE["down_kbps"] * KBIT, "uploadThroughput": PROFILE["up_kbps"] * KBIT})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": PROFILE["cpu_slowdown"]})
        responses: dict[str, dict] = {}
        cdp.on("Network.responseReceived", lambda e: responses.setdefault(e["requestId"], {}).update(
            url=e["response"]["url"], status=e["response"]["status"],
            encoding={k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", "")))
        cdp.on("Network.loadingFinished", lambda e: responses.setdefault(e["requestId"], {}).update(
            transferred=e["encodedDataLength"]))
        page.add_init_script(f"({USABLE_JS})()")
        page.goto(base + FORM_PATH, wait_until="load", timeout=120_000)
        page.wait_for_function("window.__readyAt !== null", timeout=120_000, polling=100)
        page.wait_for_load_state("networkidle", timeout=120_000)
        usable_ms = page.evaluate("window.__usableAt")
        ready_ms = page.evaluate("window.__readyAt")
        timings = page.evaluate("""() => [...performance.getEntriesByType('navigation'),
                                           ...performance.getEntriesByType('resource')]
            .map(e => ({url: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
                        start: e.startTime, end: e.responseEnd}))""")
        dom_ready_ms = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        if "/gui-sang-kien/" not in page.url:
            raise SystemExit(f"the form did not open: {page.url}")
    finally:
        context.close()
    bodies = {t["url"]: t for t in timings}
    assets = []
    for item in responses.values():
        if "url" not in item or item["url"].startswith("data:"):
            continue
        body = bodies.get(item["url"], {})
        assets.append({"url": item["url"].removeprefix(base), "status": item["status"],
                       "encoding": item["encoding"] or "none", "transferred": item.get("transferred", 0),
                       "encoded": body.get("encoded", 0), "decoded": body.get("decoded", 0),
                       "start": round(body.get("start", 0)), "end": round(body.get("end", 0))})
    return {"usable_ms": usable_ms, "ready_ms": ready_ms, "dom_ready_ms": dom_ready_ms,
            # the favicon, fetched after the load by the browser, is counted in bytes, not on the path
            "last_byte_ms": max((a["end"] for a in assets if "favicon" not in a["url"]), default=0),
            "transferred": sum(a["transferred"] for a in assets), "assets": assets}


def kb(n: float) -> str:
    return f"{n / 1024:,.1f}"


def summarise(name: str, runs: list[dict]) -> dict:
    median = sorted(runs, key=lambda r: r["ready_ms"])[len(runs) // 2]
    return {"name": name, "usable_ms": statistics.median(r["usable_ms"] for r in runs),
            "ready_ms": statistics.median(r["ready_ms"] for r in runs),
            "usable_all": [round(r["usable_ms"]) for r in runs], "ready_all": [round(r["ready_ms"]) for r in runs],
            "last_byte_ms": median["last_byte_ms"],
            "transferred": statistics.median(r["transferred"] for r in runs), "assets": median["assets"]}


def write_doc(results: list[dict], args, load: tuple[tuple, tuple], chromium: str) -> str:
    today = dt.datetime.now().astimezone().strftime("%Y-%m-%d")
    production, baseline, warm = results
    lines = [
        SECTION, "",
        f"Measured {today} on this 2-core machine with Debian's Chromium {chromium} (headless, 390 × 844 viewport) "
        f"driven by Playwright; command: `.venv/bin/python benchmarks/page_weight.py --runs {args.runs}`. "
        f"Load average (1/5/15 min) at the start {load[0][0]:.2f} / {load[0][1]:.2f} / {load[0][2]:.2f}, "
        f"at the end {load[1][0]:.2f} / {load[1][1]:.2f} / {load[1][2]:.2f} (other engineers' tests shared the machine).",
        "",
        "What is measured: the demo member (signed in beforehand), browser cache emptied, opens the submission "
        "form with the unit chosen by the QR link (`/chuong-trinh/sang-kien-demo/gui-sang-kien/?don-vi=375-0001`) "
        f"on a slow-phone profile set through the DevTools protocol: {PROFILE['down_kbps']} kbit/s down and up, "
        f"{PROFILE['latency_ms']} ms latency (`Network.emulateNetworkConditions`) and a {PROFILE['cpu_slowdown']}× "
        "CPU slowdown (`Emulation.setCPUThrottlingRate`). **Transferred** = the sum of "
        "`Network.loadingFinished.encodedDataLength` over every response of the load (headers + encoded body, "
        "as on the wire). **Usable** = time from the start of navigation until every stylesheet is applied, "
        "the title input is rendered and takes the focus and the submit button is enabled: the member can type "
        "and send. **Editor ready** = until, in addition, the description editor (Trix) is initialised and htmx "
        "is loaded (the unit chooser and the similar-initiatives panel use it). **Last byte** = when the last "
        f"response of the load ended. Medians of {args.runs} runs, each in a fresh browser context.",
        "",
        "- **production** = `make run` (scripts/serve.sh: gunicorn, DEBUG off, WhiteNoise serving the collected "
        "files with content-hashed names, Brotli or gzip by `Accept-Encoding`, cached for a year);",
        "- **baseline** = Django's development server with the development settings (`make dev`), which is "
        "what `make run` served before: the same static files, uncompressed (pages gzipped as in production).",
        "",
        f"| | transferred (KB) | usable (ms) | editor ready (ms) | last byte (ms) | runs: usable / ready (ms) "
        f"| budget ≤ {BUDGET_BYTES // 1024} KB, usable ≤ {BUDGET_MS / 1000:g} s |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in (production, baseline):
        verdict = ("met" if r["transferred"] <= BUDGET_BYTES else "**missed**") + " / " + (
            "met" if r["usable_ms"] <= BUDGET_MS else "**missed**")
        runs = "; ".join(f"{u} / {d}" for u, d in zip(r["usable_all"], r["ready_all"], strict=True))
        lines.append(f"| {r['name']} | {kb(r['transferred'])} | {r['usable_ms']:,.0f} | {r['ready_ms']:,.0f} "
                     f"| {r['last_byte_ms']:,} | {runs} | {verdict} |")
    lines += ["", f"In the member's real journey the form follows the sign-in page, whose assets (Pico, htmx, "
              f"sangkien.css/js) are then already cached: **production, after sign-in** (cache kept, same "
              f"profile) transfers {kb(warm['transferred'])} KB, usable after {warm['usable_ms']:,.0f} ms, editor "
              f"ready after {warm['ready_ms']:,.0f} ms (runs: "
              + "; ".join(f"{u} / {d}" for u, d in zip(warm["usable_all"], warm["ready_all"], strict=True)) + ")."]
    lines += ["", "Per response, cold cache (the median run of each server; sizes in KB):", "",
              "| response | production: encoding | transferred | body (encoded / decoded) "
              "| baseline: encoding | transferred | body (encoded / decoded) |",
              "|---|---|---:|---|---|---:|---|"]

    def key(url: str) -> str:  # hashed and plain names of one file line up
        path = url.split("?")[0]
        stem, dot, ext = path.rpartition(".")
        head, _, maybe_hash = stem.rpartition(".")
        if dot and len(maybe_hash) == 12 and all(c in "0123456789abcdef" for c in maybe_hash):
            return f"{head}.{ext}"
        return url

    rows: dict[str, dict] = {}
    for side, r in (("production", production), ("baseline", baseline)):
        for a in r["assets"]:
            rows.setdefault(key(a["url"]), {})[side] = a
    for url, sides in sorted(rows.items(), key=lambda kv: -max(a["transferred"] for a in kv[1].values())):
        cells = []
        for side in ("production", "baseline"):
            a = sides.get(side)
            cells += ([a["encoding"], kb(a["transferred"]), f"{kb(a['encoded'])} / {kb(a['decoded'])}"]
                      if a else ["—", "—", "—"])
        lines.append(f"| `{url}` | " + " | ".join(cells) + " |")
    ready_verdict = "within" if production["ready_ms"] <= BUDGET_MS else "over"
    lines += ["", f"Reading: `make run` sends {kb(production['transferred'])} KB instead of "
              f"{kb(baseline['transferred'])} KB ({production['transferred'] / baseline['transferred']:.0%}); "
              f"the form is usable after {production['usable_ms']:,.0f} ms instead of "
              f"{baseline['usable_ms']:,.0f} ms and fully working (editor ready) after "
              f"{production['ready_ms']:,.0f} ms instead of {baseline['ready_ms']:,.0f} ms — "
              f"{ready_verdict} 3 s. On the wire the load ends at {production['last_byte_ms']:,} ms "
              f"(~{kb(production['transferred'])} KB at {PROFILE['down_kbps']} kbit/s plus a round trip of "
              f"{PROFILE['latency_ms']} ms for the page and one for its assets); the "
              f"{production['ready_ms'] - production['last_byte_ms']:,.0f} ms after it are Trix starting "
              f"on the {PROFILE['cpu_slowdown']}× slowed CPU of a shared machine (see the load average)."]
    lines += ["", "What keeps the form light: compressed, hashed, long-cached assets (WhiteNoise "
              "`CompressedManifestStaticFilesStorage`, Brotli via the `brotli` package), only the vendored "
              "files the pages load are collected (`sangkien.core.staticfiles.VendorFinder`), Trix (the "
              "largest asset) only on the pages with a description editor and `defer`red, no web fonts.", ""]
    section = "\n".join(lines)
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 5)
        text = text[:start] + section + ("\n" + text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="loads per server (median reported)")
    parser.add_argument("--db", type=Path, help="SQLite file to build the demo in, or reuse (default: a temp file)")
    args = parser.parse_args()
    load_start = os.getloadavg()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="sk-weight-") as tmp_name:
        tmp = Path(tmp_name)
        database = build_world(args.db or tmp / "sangkien.sqlite3")
        servers = start_servers(database, tmp)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                chromium = browser.version
                results = []
                try:
                    for name, server, cold in (("production", "production", True), ("baseline", "baseline", True),
                                               ("production, after sign-in", "production", False)):
                        base = servers[server][0]
                        runs = [measure(browser, base, cold=cold) for _ in range(args.runs)]
                        results.append(summarise(name, runs))
                        r = results[-1]
                        print(f"{name}: {kb(r['transferred'])} KB, usable in {r['usable_ms']:,.0f} ms, editor ready "
                              f"in {r['ready_ms']:,.0f} ms (runs: {r['usable_all']} / {r['ready_all']})", flush=True)
                finally:
                    browser.close()
        finally:
            stop_servers(servers)
    print(write_doc(results, args, (load_start, os.getloadavg()), chromium))


if __name__ == "__main__":
    main()

"""What one more web node, a pooler, Redis and a read replica buy, measured on this machine (issue 12).

    scripts/with-postgres.sh .venv/bin/python benchmarks/scaling.py
        [--only web,pool,redis,replica] [--workers 2] [--threads 4] [--cpu-users 8]
        [--cpu-seconds 15] [--members 200] [--quick] [--no-doc] [--json PATH]

Sets up the data once (``benchmarks/surge_setup.py`` against the throw-away
PostgreSQL of DATABASE_URL), then runs one *arm* after the other — each arm a
server stack started for it and stopped after it, on 127.0.0.1, ports
18400–18499 only — and in each arm closed-loop stages of
``benchmarks/surge.py`` (``--cpu-users`` users without pause for
``--cpu-seconds``):

* ``submission`` (every arm): the submission form page + its POST
  (``surge.Submitter``);
* ``officer`` (the arms of the replica option): signed-in reviewers at four
  levels load their dashboard, review queue and officer home (``surge.Officer``
  without its pause).

The arms (``--only`` picks options; the baseline always runs, first and again
last, so drift of the shared machine shows):

* ``baseline``: one gunicorn (``--workers`` × ``--threads``), PostgreSQL
  direct with ``SANGKIEN_CONN_MAX_AGE=60``, local-memory cache, sessions in
  PostgreSQL, no replica;
* web: ``proxy → 1 instance`` (HAProxy in front of the same gunicorn: the
  proxy's own cost) and ``proxy → 2 instances`` (two such gunicorns);
* pool: ``direct, CONN_MAX_AGE=0`` and ``PgBouncer, CONN_MAX_AGE=0``
  (transaction pooling, ``SANGKIEN_DISABLE_SERVER_SIDE_CURSORS=1``);
* redis: ``Redis cache + sessions`` (``REDIS_URL``; the sessions are copied
  from PostgreSQL into Redis first; tasks stay in the database backend, as in
  the baseline);
* replica: ``replica`` — a streaming replica made with ``pg_basebackup`` and
  ``DATABASE_REPLICA_URL`` (``sangkien.core.db_router``).

Missing Debian packages (haproxy, pgbouncer, redis-server) are installed with
apt-get when run as root (the Redis option also needs the ``redis`` extra); the servers run unprivileged (``nobody``; PostgreSQL
as ``postgres``).  For every stage: CPU ms per request of each process tree
(gunicorn, proxy, pooler, Redis, primary, replica; ``/proc/<pid>/stat`` before
and after, via ``surge.cpu_sample``), requests per second (a floor: the machine
is shared), the ``django_session`` reads and writes per request on the primary
(``pg_stat_user_tables``), load average before and after.  Every answer is
checked (status and a marker); at the end the initiatives added must equal the
submissions answered with a redirect.

Prints one JSON line per stage and the section "Scaling options (issue 12)",
writes it into docs/benchmarks.md (unless ``--no-doc``) and the whole result
to ``--json`` PATH.  ``--quick``: 40 members, 5 s stages, the baseline once.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from locust import constant  # noqa: E402

from benchmarks import surge  # noqa: E402
from benchmarks.docs_section import replace_section  # noqa: E402

HEADING = "## Scaling options (issue 12)"
PORTS = range(18400, 18500)
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
PACKAGES = {"web": ("/usr/sbin/haproxy", "haproxy"), "pool": ("/usr/sbin/pgbouncer", "pgbouncer"),
            "redis": ("/usr/bin/redis-server", "redis-server")}
OPTIONS = ("web", "pool", "redis", "replica")
PARTS = ("worker", "proxy", "pooler", "cache", "db", "replica")
PART_LABELS = {"worker": "gunicorn", "proxy": "HAProxy", "pooler": "PgBouncer", "cache": "Redis",
               "db": "PostgreSQL primary", "replica": "replica"}
STATS_FLUSH_S = 11.5
_taken: set[int] = set()


def free_port() -> int:
    """A free TCP port of 127.0.0.1 in 18400–18499 not handed out before in this run (SystemExit if none)."""
    for port in PORTS:
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    sys.exit("scaling: no free port in 18400–18499")


def wait_port(port: int, seconds: float = 60) -> None:
    """Wait until 127.0.0.1:``port`` accepts connections (RuntimeError after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def as_user(name: str) -> dict[str, Any]:
    """Popen/run keyword arguments that drop root to ``name`` (nothing when not root)."""
    return {"user": name, "group": "postgres" if name == "postgres" else "nogroup"} if os.geteuid() == 0 else {}


def ensure_packages(options: list[str]) -> None:
    """Install the Debian packages the chosen options need, as scripts/with-postgres.sh does (root only)."""
    if "redis" in options and importlib.util.find_spec("redis") is None:
        sys.exit("scaling: the Redis option needs the redis client: .venv/bin/pip install '.[redis]'")
    missing = [package for option in options if option in PACKAGES
               for path, package in [PACKAGES[option]] if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"scaling: install Debian's {' '.join(missing)} (or run as root)")
    print(f"scaling: installing Debian's {' '.join(missing)}", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


class Servers(contextlib.ExitStack):
    """The servers of one arm; each is stopped when the arm ends, whatever happens."""

    def process(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """Start ``argv`` and register its stop (SIGTERM, then SIGKILL after 20 s)."""
        proc = subprocess.Popen(argv, **kwargs)  # noqa: S603 (our own argv)

        def stop() -> None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.callback(stop)
        return proc

    def tempdir(self, owner: str | None = None) -> Path:
        """A temporary directory, owned by ``owner`` when root, removed at the end."""
        path = Path(tempfile.mkdtemp(prefix="sangkien-scaling."))
        if owner and os.geteuid() == 0:
            shutil.chown(path, owner, "postgres" if owner == "postgres" else "nogroup")
        self.callback(shutil.rmtree, path, True)
        return path


def gunicorn(servers: Servers, env: dict[str, str], workers: int, threads: int) -> tuple[int, int]:
    """One gunicorn on a free port: (pid, port)."""
    port = free_port()
    proc = servers.process([str(ROOT / ".venv" / "bin" / "gunicorn"), "sangkien.wsgi:application",
                            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
                            "--timeout", "60"], cwd=ROOT, env=env)
    return proc.pid, port


def haproxy(servers: Servers, backends: list[int]) -> tuple[int, int]:
    """HAProxy (HTTP, keep-alive, least connections) in front of ``backends``: (pid, port)."""
    port, folder = free_port(), servers.tempdir("nobody")
    lines = ["global", "  maxconn 2000", "defaults", "  mode http", "  timeout connect 5s",
             "  timeout client 60s", "  timeout server 60s", "frontend web", f"  bind 127.0.0.1:{port}",
             "  default_backend app", "backend app", "  balance leastconn"]
    lines += [f"  server app{i} 127.0.0.1:{backend}" for i, backend in enumerate(backends)]
    config = folder / "haproxy.cfg"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config.chmod(0o644)
    proc = servers.process(["/usr/sbin/haproxy", "-db", "-f", str(config)], **as_user("nobody"))
    wait_port(port)
    return proc.pid, port


def pgbouncer(servers: Servers, database_url: str) -> tuple[int, str]:
    """PgBouncer in transaction mode in front of ``database_url``: (pid, the URL through it)."""
    url = urllib.parse.urlsplit(database_url)
    port, folder = free_port(), servers.tempdir("nobody")
    database = url.path.lstrip("/")
    config = folder / "pgbouncer.ini"
    config.write_text("\n".join([
        "[databases]", f"{database} = host={url.hostname} port={url.port} dbname={database} user={url.username}",
        "[pgbouncer]", "listen_addr = 127.0.0.1", f"listen_port = {port}", "unix_socket_dir =",
        "auth_type = any", "pool_mode = transaction", "max_client_conn = 500", "default_pool_size = 10",
        "ignore_startup_parameters = extra_float_digits", ""]), encoding="utf-8")
    config.chmod(0o644)
    proc = servers.process(["/usr/sbin/pgbouncer", str(config)], stdout=subprocess.DEVNULL, **as_user("nobody"))
    wait_port(port)
    return proc.pid, f"postgres://{url.username}@127.0.0.1:{port}/{database}"


def redis_server(servers: Servers) -> tuple[int, str]:
    """redis-server without persistence: (pid, REDIS_URL)."""
    port, folder = free_port(), servers.tempdir("nobody")
    proc = servers.process(["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                            "--appendonly", "no", "--dir", str(folder), "--daemonize", "no", "--loglevel", "warning"],
                           stdout=subprocess.DEVNULL, **as_user("nobody"))
    wait_port(port)
    return proc.pid, f"redis://127.0.0.1:{port}/0"


def replica(servers: Servers, database_url: str) -> tuple[int, str]:
    """A streaming replica of ``database_url`` (pg_basebackup -R, as ``postgres``), caught up: (pid, URL)."""
    url = urllib.parse.urlsplit(database_url)
    port, folder = free_port(), servers.tempdir("postgres")
    data, pg = folder / "data", as_user("postgres")
    subprocess.run([str(PGBIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(url.port), "-U", url.username or "",
                    "-D", str(data), "-R", "-X", "stream", "-c", "fast"], check=True, **pg)
    subprocess.run([str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o",
                    f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off -c hot_standby=on",
                    "start"], check=True, stdout=subprocess.DEVNULL, **pg)
    servers.callback(subprocess.run, [str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                     check=False, stdout=subprocess.DEVNULL, **pg)
    replica_url = f"postgres://{url.username}@127.0.0.1:{port}{url.path}"
    with psycopg.connect(database_url) as primary, psycopg.connect(replica_url, autocommit=True) as standby:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        for _ in range(600):
            if standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                break
            time.sleep(0.1)
    pid = int((data / "postmaster.pid").read_text(encoding="ascii").split()[0])
    return pid, replica_url


def session_counts(database_url: str) -> dict[str, int]:
    """Lookups by key and written rows of ``django_session`` so far on that server.

    A lookup is a scan of an index on ``session_key`` (the primary key or its
    ``LIKE`` twin: which one is the planner's choice, and after an ANALYZE it may
    add the ``expire_date`` index to the same lookup, so that one is left out),
    plus any sequential scan.
    """
    # An idle backend publishes its counts within PGSTAT_IDLE_INTERVAL (10 s) of its last
    # statement (PostgreSQL 15, pgstat.c): wait for it, or a stage's scans land in the next.
    time.sleep(STATS_FLUSH_S)
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT t.seq_scan + (SELECT coalesce(sum(i.idx_scan), 0)::bigint FROM pg_stat_user_indexes i JOIN pg_index x "
            "  ON x.indexrelid = i.indexrelid JOIN pg_attribute a ON a.attrelid = x.indrelid "
            "  AND a.attnum = x.indkey[0] WHERE i.relid = t.relid AND a.attname = 'session_key'), "
            "t.n_tup_ins + t.n_tup_upd + t.n_tup_del "
            "FROM pg_stat_user_tables t WHERE t.relname = 'django_session'").fetchone()
    return {"reads": row[0], "writes": row[1]}


def copy_sessions_to_redis(env: dict[str, str]) -> None:
    """Copy the benchmark's signed-in sessions from PostgreSQL into the Redis session store of ``env``."""
    keys = surge.CONFIG["members"] + [o["session"] for o in surge.CONFIG["officers"]]
    code = ("import django, json, sys; django.setup()\n"
            "from django.contrib.sessions.backends import cache, db\n"
            "from django.core.cache import cache as store\n"
            "for key in json.load(sys.stdin):\n"
            "    store.set(cache.KEY_PREFIX + key, db.SessionStore(session_key=key).load(), 24 * 3600)\n")
    subprocess.run([surge.PY, "-c", code], input=json.dumps(keys), text=True, cwd=ROOT, env=env, check=True)


class OfficerLoop(surge.Officer):
    """``surge.Officer`` without its pause; counts each page answered 200 with its marker."""

    wait_time = constant(0)

    def page(self, url: str, name: str, marker: str) -> str | None:
        text = super().page(url, name, marker)
        if text is not None:
            surge.OK["officer"] += 1
        return text


def arms(options: list[str], repeat: bool = True) -> list[dict[str, Any]]:
    """The arms to run, in order: baseline, the chosen options' arms, baseline again (if ``repeat``)."""
    chosen = [{"name": "baseline", "option": "baseline"}]
    if "web" in options:
        chosen += [{"name": "proxy → 1 instance", "option": "web", "proxy": True, "instances": 1},
                   {"name": "proxy → 2 instances", "option": "web", "proxy": True, "instances": 2}]
    if "pool" in options:
        chosen += [{"name": "direct, CONN_MAX_AGE=0", "option": "pool", "conn_max_age": 0},
                   {"name": "PgBouncer, CONN_MAX_AGE=0", "option": "pool", "conn_max_age": 0, "pgbouncer": True}]
    if "redis" in options:
        chosen.append({"name": "Redis cache + sessions", "option": "redis", "redis": True})
    if "replica" in options:
        chosen.append({"name": "replica", "option": "replica", "replica": True})
    if repeat:
        chosen.append({"name": "baseline again", "option": "baseline"})
    for arm in chosen:
        arm["stages"] = ["submission", "officer"] if "replica" in options and arm["option"] in {
            "baseline", "replica"} else ["submission"]
    return chosen


def run_arm(arm: dict[str, Any], args: argparse.Namespace, base_env: dict[str, str]) -> list[dict[str, Any]]:
    """Start the arm's servers, warm them up, run its stages, stop everything; the stages' figures."""
    database_url = base_env["DATABASE_URL"]
    env = {**base_env, "SANGKIEN_CONN_MAX_AGE": str(arm.get("conn_max_age", 60))}
    pids: dict[str, list[int]] = {"worker": [], "db": [surge.postmaster_pid()]}
    with Servers() as servers:
        if arm.get("pgbouncer"):
            pid, env["DATABASE_URL"] = pgbouncer(servers, database_url)
            env["SANGKIEN_DISABLE_SERVER_SIDE_CURSORS"] = "1"
            pids["pooler"] = [pid]
        if arm.get("redis"):
            pid, env["REDIS_URL"] = redis_server(servers)
            env["SANGKIEN_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
            pids["cache"] = [pid]
            copy_sessions_to_redis(env)
        if arm.get("replica"):
            pid, env["DATABASE_REPLICA_URL"] = replica(servers, database_url)
            pids["replica"] = [pid]
        ports = []
        for _ in range(arm.get("instances", 1)):
            pid, port = gunicorn(servers, env, args.workers, args.threads)
            pids["worker"].append(pid)
            ports.append(port)
        for port in ports:
            wait_port(port)
        if arm.get("proxy"):
            pid, port = haproxy(servers, ports)
            pids["proxy"] = [pid]
        else:
            port = ports[0]
        surge.CONFIG.update(base=f"http://127.0.0.1:{port}", cpu_pids=pids, next_officer=0)
        surge.fetch_bare_token()  # the CSRF cookie every user sends (a GET of the bare form)
        warm = args.workers * len(ports) * 2
        surge.run_stage("warm-up", {surge.Submitter: warm, OfficerLoop: warm if "officer" in arm["stages"] else 0},
                        3, "submission")
        stages, sessions = [], session_counts(database_url)
        for name in arm["stages"]:
            user, kind = (surge.Submitter, "submission") if name == "submission" else (OfficerLoop, "officer")
            stage = surge.run_stage(name, {user: args.cpu_users}, args.cpu_seconds, kind)
            after = session_counts(database_url)
            done = stage["succeeded"]
            stage.update(arm=arm["name"], option=arm["option"], session_per={
                k: round((after[k] - sessions[k]) / done, 2) if done else None for k in after})
            print(json.dumps(stage, ensure_ascii=False), flush=True)
            stages.append(stage)
            sessions = after
    return stages


def _cmd(argv: list[str]) -> str:
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--json":
            skip = True
        elif arg != "--no-doc" and not arg.startswith("--json="):
            kept.append(arg)
    return " ".join(["scripts/with-postgres.sh nice -n 10 .venv/bin/python benchmarks/scaling.py", *kept])


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def table(stages: list[dict[str, Any]], request: str) -> list[str]:
    """Markdown rows: one per stage, CPU ms per request of each part present in any of them."""
    parts = [p for p in PARTS if any(p in s["cpu_ms_per"] for s in stages)]
    head = (["arm", "requests OK", "per s"] + [f"{PART_LABELS[p]} ms" for p in parts]
            + ["total ms", "session reads / writes", f"{request} p95 ms", "errors", "load before → after"])
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 2) + "---|"]
    for s in stages:
        per = s["cpu_ms_per"]
        cells = [s["arm"], f"{s['succeeded']:,}", str(s["per_s"])] + [_ms(per.get(p)) for p in parts]
        cells += [_ms(per.get("total")), f"{_ms(s['session_per']['reads'])} / {_ms(s['session_per']['writes'])}",
                  surge._req(s, request, "p95_ms"), str(s["errors"]),
                  f"{s['load_before'][0]} → {s['load_after'][0]}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def section(result: dict[str, Any], args: argparse.Namespace) -> str:
    """The docs/benchmarks.md section of ``result`` (Markdown)."""
    stages = result["stages"]
    subm = [s for s in stages if s["stage"] == "submission"]
    lines = [
        HEADING, "",
        f"Measured {result['started']} UTC on this 2-core machine, shared with other helpers' tests and "
        f"benchmarks (load average 1/5/15 min at the start {' / '.join(map(str, result['load_start']))}, at the "
        f"end {' / '.join(map(str, result['load_end']))}): gunicorn {args.workers} workers × {args.threads} threads "
        f"per instance, PostgreSQL {result['postgres']}, HAProxy, PgBouncer and Redis from Debian, the Locust load "
        "generator on the same cores, 127.0.0.1 only. Closed loop: "
        f"{args.cpu_users} users without pause, {args.cpu_seconds:g} s a stage, after a 3 s warm-up of each arm. "
        "CPU ms per request of each process tree (`/proc/<pid>/stat`, utime + stime, children included) is the "
        "robust figure; requests per second are a floor (the load generator and other helpers share the cores). "
        "Session reads / writes: lookups by key (scans of a `session_key` index, plus sequential scans) and "
        "written rows of `django_session` on the primary per request (`pg_stat_user_indexes`, "
        "`pg_stat_user_tables`, read after each stage once the backends have published them).", "",
        f"Command: `{_cmd(args.argv)}`", "",
        "**Submission** (form page + POST, `surge.Submitter`), per successful submission:", "",
        *table(subm, "submit"), ""]
    officer = [s for s in stages if s["stage"] == "officer"]
    if officer:
        lines += ["**Officer pages** (dashboard, review queue, officer home in turn, `surge.Officer` without "
                  "pause), per page:", "", *table(officer, "dashboard"), ""]
    c = result["count_check"]
    lines += [f"**Count check**: submissions answered with a redirect {c['ok']:,}, initiatives added "
              f"{c['db']:,} — {'equal: none lost, none doubled' if c['passed'] else '**NOT EQUAL**'}.", "",
              "What each option buys and does not: docs/scaling.md.", ""]
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(OPTIONS), help="options to measure: web,pool,redis,replica")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--officers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cpu-users", type=int, default=8)
    parser.add_argument("--cpu-seconds", type=float, default=15)
    parser.add_argument("--quick", action="store_true", help="40 members, 5 s stages, no second baseline")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="write the whole result there")
    defaults = vars(parser.parse_args([]))
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.options = [o for o in args.only.split(",") if o]
    if unknown := set(args.options) - set(OPTIONS):
        parser.error(f"unknown option(s) {', '.join(sorted(unknown))}")
    if args.quick:
        for name, value in (("members", 40), ("cpu_seconds", 5)):
            if getattr(args, name) == defaults[name]:
                setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Set up, run every arm, check the counts, print and write the figures; the result."""
    args = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a terminated run still stops its servers
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to PostgreSQL (run through scripts/with-postgres.sh)")
    ensure_packages(args.options)
    base_env = {**os.environ, "SANGKIEN_DEBUG": "0", "SANGKIEN_ALLOWED_HOSTS": "127.0.0.1",
                "SANGKIEN_AXES_ENABLED": "0", "SANGKIEN_LOG_LEVEL": "ERROR",
                "DJANGO_SETTINGS_MODULE": "benchmarks.bare.settings", "PYTHONPATH": str(ROOT)}
    for name in ("REDIS_URL", "DATABASE_REPLICA_URL", "SANGKIEN_CONN_MAX_AGE", "SANGKIEN_TASKS_BACKEND",
                 "SANGKIEN_DISABLE_SERVER_SIDE_CURSORS"):
        base_env.pop(name, None)
    setup = subprocess.run([surge.PY, str(ROOT / "benchmarks" / "surge_setup.py"), str(args.members),
                            str(args.officers)], cwd=ROOT, env=base_env, capture_output=True, text=True, check=True)
    surge.CONFIG.update(json.loads(setup.stdout.strip().splitlines()[-1]))
    surge.OK.setdefault("officer", 0)
    result: dict[str, Any] = {"started": dt.datetime.now(dt.UTC).strftime("%d/%m/%Y %H:%M"),
                              "load_start": [round(x, 2) for x in os.getloadavg()], "options": args.options,
                              "stages": []}
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        result["postgres"] = conn.execute("SHOW server_version").fetchone()[0].split()[0]
        conn.execute("VACUUM ANALYZE")  # else autovacuum analyses the fresh tables during the first arm
    before = surge.db_counts()["submission"]
    for arm in arms(args.options, repeat=not args.quick):
        result["stages"] += run_arm(arm, args, base_env)
    added = surge.db_counts()["submission"] - before
    result["count_check"] = {"ok": surge.OK["submission"], "db": added, "passed": surge.OK["submission"] == added}
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    if empty := [f"{s['arm']}: {s['stage']}" for s in result["stages"] if not s["succeeded"]]:
        sys.exit(f"scaling: no request got through in {', '.join(empty)}")
    text = section(result, args)
    print(text)
    if not args.no_doc:
        replace_section(ROOT / "docs" / "benchmarks.md", HEADING, text)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()

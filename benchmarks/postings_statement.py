"""PostgreSQL's CPU for the two forms of the index's postings statement (issue 12, docs/duplicates.md).

    scripts/with-postgres.sh .venv/bin/python benchmarks/postings_statement.py

On a throw-away table shaped as ``duplicates_bandkey`` (20,000 texts × 20 band keys, one key in ten
shared), runs 300 searches of 80 probe keys with each form, twice, and prints the server backend's
CPU (``/proc/<pid>/stat`` utime + stime) and this client's CPU per search: the ``UNION ALL`` of one
``LIMIT``-ed sub-select per key (what SQLite still runs) and one ``LATERAL`` sub-select over
``unnest(keys)`` (what PostgreSQL runs since issue 12).  Needs ``DATABASE_URL`` of a server on this
machine (the backend's /proc entry is read).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import psycopg

TEXTS, KEYS_PER_TEXT, PROBES, SEARCHES, LIMIT = 20_000, 20, 80, 300, 301


def main() -> None:
    conn = psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True)
    cur = conn.cursor()
    cur.execute("CREATE TEMPORARY TABLE bk (band_key integer, initiative_id bigint, "
                "PRIMARY KEY (band_key, initiative_id))")
    rng = random.Random(1)
    rows: set[tuple[int, int]] = set()
    for text in range(TEXTS):
        for _ in range(KEYS_PER_TEXT):
            shared = rng.random() < 0.1
            rows.add((rng.randrange(1, 3000) if shared else rng.randrange(1, 2**31 - 1), text))
    with cur.copy("COPY bk FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cur.execute("ANALYZE bk")
    cur.execute("SELECT pg_backend_pid()")
    backend = Path(f"/proc/{cur.fetchone()[0]}/stat")  # type: ignore[index]

    def server_ms() -> float:
        fields = backend.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def union(keys: list[int]) -> tuple[str, list[object]]:
        one = "SELECT band_key, initiative_id FROM (SELECT band_key, initiative_id FROM bk WHERE band_key = %s " \
              f"LIMIT {LIMIT}) AS p{{n}}"
        return " UNION ALL ".join(one.format(n=n) for n in range(len(keys))), list(keys)

    def lateral(keys: list[int]) -> tuple[str, list[object]]:
        return ("SELECT k.key, p.initiative_id FROM unnest(%s::integer[]) AS k(key) CROSS JOIN LATERAL "
                f"(SELECT initiative_id FROM bk WHERE band_key = k.key LIMIT {LIMIT}) AS p"), [keys]

    held = [key for key, _text in rows]
    print(f"load average before: {os.getloadavg()}")
    for repeat in (1, 2):
        for name, form in (("UNION ALL", union), ("LATERAL", lateral)):
            searches = [rng.sample(held, PROBES - 5) + [rng.randrange(1, 2**31 - 1) for _ in range(5)]
                        for _ in range(SEARCHES)]
            server, client = server_ms(), time.process_time()
            for keys in searches:
                cur.execute(*form(keys))
                cur.fetchall()
            print(f"run {repeat} {name:9}: server CPU {(server_ms() - server) / SEARCHES:.2f} ms/search, "
                  f"client CPU {(time.process_time() - client) * 1000 / SEARCHES:.2f} ms/search")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

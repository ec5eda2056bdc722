"""``manage.py refresh_rollups [--full] [--loop SECONDS | --schedule SECONDS]``.

Bring the dashboards' roll-ups up to date (:mod:`sangkien.reports.rollup_refresh`).
``--loop 30`` keeps refreshing every 30 s (run it beside the web workers);
``--schedule 30`` queues the background task that does the same.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from sangkien.reports.rollup_refresh import refresh


class Command(BaseCommand):
    help = "Cập nhật số liệu tổng hợp cho bảng thống kê (incremental; --full: build lại toàn bộ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="delete and rebuild every programme's roll-ups")
        parser.add_argument("--loop", type=float, metavar="SECONDS",
                            help="refresh again every SECONDS until interrupted")
        parser.add_argument("--schedule", type=int, metavar="SECONDS",
                            help="queue the background task refreshing every SECONDS, and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["schedule"]:
            from sangkien.reports.tasks import refresh_rollups

            result = refresh_rollups.enqueue(opts["schedule"])
            self.stdout.write(f"queued {result.id}")
            return
        full = opts["full"]
        while True:
            started = time.monotonic()
            try:
                report = refresh(full=full)
            except DatabaseError as exc:
                if not opts["loop"]:
                    raise
                self.stderr.write(f"refresh_rollups: {exc}; thử lại sau {opts['loop']} s")
            else:
                self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
                full = False
            if not opts["loop"]:
                return
            time.sleep(max(0.0, opts["loop"] - (time.monotonic() - started)))

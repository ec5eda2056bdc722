"""``manage.py purge_exports``: delete export files past SANGKIEN_EXPORT_RETENTION_HOURS (run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sangkien.reports.exports import purge_expired_exports


class Command(BaseCommand):
    help = "Delete the files of exports older than SANGKIEN_EXPORT_RETENTION_HOURS; keep their log records."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while count := purge_expired_exports():
            total += count
        self.stdout.write(f"{total} export file(s) deleted")

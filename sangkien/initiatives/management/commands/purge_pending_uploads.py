"""``manage.py purge_pending_uploads``: delete files held from failed forms for more than a day.

Held files are also purged whenever a form holds new ones; run this from
cron (e.g. hourly) so a quiet site does not keep them either.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sangkien.initiatives.attachments import purge_expired_uploads


class Command(BaseCommand):
    help = "Delete files held from forms sent back with errors, once they are older than a day."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for _batch in range(1000):  # bounded: at most 500,000 files per run
            deleted = purge_expired_uploads(limit=500)
            total += deleted
            if deleted < 500:
                break
        self.stdout.write(f"{total} held file(s) deleted.")

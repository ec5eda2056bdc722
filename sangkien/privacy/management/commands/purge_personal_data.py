"""``manage.py purge_personal_data``: delete personal data past its retention (run hourly).

The one entry point of retention (docs/privacy.md "Retention"): access log, audit log,
export log and files, import files and staged rows, held uploads, sign-in attempts,
texted codes, expired sessions.  ``purge_exports`` and ``purge_pending_uploads`` still
work alone; this command runs them too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sangkien.privacy.retention import purge_personal_data


class Command(BaseCommand):
    help = "Delete personal data older than its retention period (SANGKIEN_RETENTION_*; docs/privacy.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge_personal_data()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")

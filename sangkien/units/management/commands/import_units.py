"""``manage.py import_units FILE [--dry-run]``: load or update the unit tree from CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sangkien.units.importers import UnitImportError, import_units


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # argparse needs str, not a lazy string
        return _("Nạp hoặc cập nhật cây đơn vị từ tệp CSV hoặc JSON (định dạng: docs/units.md).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("tệp .csv hoặc .json (UTF-8)"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("kiểm tra và báo cáo, không ghi gì"))
        parser.add_argument("--format", choices=["csv", "json"],
                            help=_("định dạng tệp (mặc định: theo đuôi tệp)"))

    def handle(self, *args: Any, file: Path, dry_run: bool, format: str | None, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(_("Không tìm thấy tệp %(file)s.") % {"file": file})
        try:
            summary = import_units(file, fmt=format, dry_run=dry_run)
        except UnitImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Có %(count)s lỗi; không ghi gì vào cơ sở dữ liệu.")
                               % {"count": len(exc.errors)}) from exc
        self.stdout.write(self.style.SUCCESS(str(summary)))

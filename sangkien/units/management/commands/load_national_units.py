"""``manage.py load_national_units``: create or update TLĐ, the 63 provinces and their districts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sangkien.units.importers import ImportSummary, UnitImportError
from sangkien.units.national import load_national_units


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # argparse needs str, not a lazy string
        return _("Tạo hoặc cập nhật cây đơn vị toàn quốc (TLĐ, 63 tỉnh, các huyện) — docs/units.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--without-sector-unions", action="store_true",
                            help=_("không tạo CĐ Viên chức, CĐ các KCN và CĐ ngành của tỉnh"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("kiểm tra và báo cáo, không ghi gì"))

    def handle(self, *args: Any, without_sector_unions: bool, dry_run: bool, **options: Any) -> None:
        try:
            counts = load_national_units(include_sector_unions=not without_sector_unions, dry_run=dry_run)
        except UnitImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Có %(count)s lỗi; không ghi gì vào cơ sở dữ liệu.")
                               % {"count": len(exc.errors)}) from exc
        self.stdout.write(self.style.SUCCESS(str(ImportSummary(**counts, dry_run=dry_run))))

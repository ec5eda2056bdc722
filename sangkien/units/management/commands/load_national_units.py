"""``manage.py load_national_units [--as-of 2025-07-01]``: the national tree, before or after 1/7/2025.

Without ``--as-of``: create or update TLĐ, the 63 provinces and their districts
(:mod:`sangkien.units.national`).  With ``--as-of`` a date from 2025-07-01 on:
the 34 provinces with their industrial-zone and public-employees unions and the
3,321 communes, reached from the tree in the database by a reorganisation
effective 2025-07-01 (:mod:`sangkien.units.national2025`, docs/units.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sangkien.units.importers import ImportSummary, UnitImportError
from sangkien.units.national import load_national_units
from sangkien.units.national2025 import EFFECTIVE_ON, is_loaded, load_national_units_2025


def iso_date(value: str) -> dt.date:
    """``YYYY-MM-DD`` → date (argparse type: a bad value is reported with the option)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("“%(value)s” không phải ngày dạng YYYY-MM-DD")
                                         % {"value": value}) from exc


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # argparse needs str, not a lazy string
        return _("Tạo hoặc cập nhật cây đơn vị toàn quốc (TLĐ, 63 tỉnh, các huyện; "
                 "với --as-of 2025-07-01: 34 tỉnh, 3.321 xã, phường, đặc khu) — docs/units.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--without-sector-unions", action="store_true",
                            help=_("không tạo CĐ Viên chức, CĐ các KCN và CĐ ngành của tỉnh"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("kiểm tra và báo cáo, không ghi gì"))
        parser.add_argument("--check", action="store_true",
                            help=_("với --as-of: chỉ kiểm tra; mã thoát 0 khi cây đơn vị của ngày đó "
                                   "đã được nạp, 1 khi chưa"))
        parser.add_argument("--as-of", type=iso_date, default=None, metavar="YYYY-MM-DD",
                            help=_("cây đơn vị từ ngày này (từ 2025-07-01: 34 tỉnh, sắp xếp lại "
                                   "từ cây trước đó)"))

    def handle(self, *args: Any, without_sector_unions: bool, dry_run: bool, as_of: dt.date | None,
               check: bool, **options: Any) -> None:
        if check and as_of is None:
            raise CommandError(_("--check chỉ dùng cùng --as-of."))
        try:
            if as_of is not None:
                self._load_2025(as_of=as_of, dry_run=dry_run, check=check)
                return
            counts = load_national_units(include_sector_unions=not without_sector_unions, dry_run=dry_run)
        except UnitImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Có %(count)s lỗi; không ghi gì vào cơ sở dữ liệu.")
                               % {"count": len(exc.errors)}) from exc
        self.stdout.write(self.style.SUCCESS(str(ImportSummary(**counts, dry_run=dry_run))))

    def _load_2025(self, *, as_of: dt.date, dry_run: bool, check: bool) -> None:
        if as_of < EFFECTIVE_ON:
            raise CommandError(_("--as-of %(date)s: cây 34 tỉnh có từ %(start)s; cây trước đó "
                                 "nạp bằng lệnh không có --as-of.")
                               % {"date": as_of.isoformat(), "start": EFFECTIVE_ON.isoformat()})
        if check:
            if is_loaded():
                self.stdout.write(_("Cây đơn vị từ %(start)s đã được nạp.") % {"start": EFFECTIVE_ON.isoformat()})
                return
            self.stdout.write(_("Cây đơn vị từ %(start)s chưa được nạp.") % {"start": EFFECTIVE_ON.isoformat()})
            sys.exit(1)
        counts = load_national_units_2025(dry_run=dry_run)
        text = _("Cây đơn vị từ %(start)s: tạo mới %(create)s, đổi tên %(rename)s, chuyển %(move)s, "
                 "giải thể %(dissolve)s, sáp nhập %(merge)s đơn vị; xã, phường, đặc khu: "
                 "thêm %(communes_created)s, cập nhật %(communes_updated)s.") % {
                     "start": EFFECTIVE_ON.isoformat(), **counts}
        if dry_run:
            text = _("Chạy thử, không ghi gì: %(summary)s") % {"summary": text}
        self.stdout.write(self.style.SUCCESS(text))

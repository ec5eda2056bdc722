"""``manage.py stats``: the dashboard table as CSV or JSON, for scripts."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.programmes.models import Programme
from sangkien.reports.counting import CSV_COLUMNS, RANK_FIELDS, table_as_json, unit_table
from sangkien.units.access import programme_day
from sangkien.units.models import Unit


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {text!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")


class Command(BaseCommand):
    help = "Print a unit's counts per child unit (participants, submitted, approved, benefit, target, %, rank)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="programme slug, e.g. 75-nghin-2021")
        parser.add_argument("--unit", required=True, help="unit code, e.g. 37 (Ninh Bình)")
        parser.add_argument("--phase", type=int, help="phase number")
        parser.add_argument("--from", dest="date_from", help="first submission date (local), YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last submission date (local), YYYY-MM-DD")
        parser.add_argument("--rank-by", default="submitted", choices=RANK_FIELDS)
        parser.add_argument("--format", default="csv", choices=["csv", "json"])

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            programme = Programme.objects.get(slug=opts["programme"])
        except Programme.DoesNotExist as exc:
            raise CommandError(f"Không có chương trình {opts['programme']!r}") from exc
        unit = Unit.objects.by_code(opts["unit"], on=programme_day(programme))
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {opts['unit']!r}")
        phase = None
        if opts["phase"] is not None:
            phase = programme.phases.filter(number=opts["phase"]).first()
            if phase is None:
                raise CommandError(f"Chương trình không có giai đoạn {opts['phase']}")
        date_from = _date(opts["date_from"]) if opts["date_from"] else None
        date_to = _date(opts["date_to"]) if opts["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from phải trước --to")
        table = unit_table(programme=programme, unit=unit, phase=phase, date_from=date_from,
                           date_to=date_to, rank_by=opts["rank_by"])
        if opts["format"] == "json":
            self.stdout.write(json.dumps(table_as_json(table), ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in table.rows:
            data = row.as_dict()
            writer.writerow(["" if data[c] is None else data[c] for c in CSV_COLUMNS])

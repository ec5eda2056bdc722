"""``manage.py duplicate_report --programme SLUG [--unit CODE] [--output F.csv]``.

The duplicate report of the review page as CSV, for a whole programme of
millions (minutes: run it in the background) or a unit's subtree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.duplicates.report import duplicate_clusters, write_csv
from sangkien.programmes.models import Programme
from sangkien.units.access import programme_day
from sangkien.units.models import Unit


class Command(BaseCommand):
    help = "Write the clusters of near-duplicate initiatives of a programme (or a unit's subtree) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="programme slug")
        parser.add_argument("--unit", help="unit code (default: the organiser, i.e. the whole programme)")
        parser.add_argument("--output", help="CSV file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = Programme.objects.filter(slug=options["programme"]).select_related("organiser").first()
        if programme is None:
            raise CommandError(f"No programme with slug {options['programme']!r}.")
        unit = programme.organiser
        if options["unit"]:
            chosen = Unit.objects.by_code(options["unit"], on=programme_day(programme))
            if chosen is None or not chosen.path.startswith(programme.organiser.path):
                raise CommandError(f"No unit {options['unit']!r} in the programme's tree.")
            unit = chosen
        clusters = duplicate_clusters(programme=programme, unit=unit)
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8-sig", newline="") as handle:
                write_csv(handle, clusters)
        else:
            write_csv(self.stdout, clusters)
        self.stderr.write(f"{len(clusters)} clusters, {sum(len(c.members) for c in clusters)} initiatives.")

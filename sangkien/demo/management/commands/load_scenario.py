"""``manage.py load_scenario NAME [--scale F]``: build a real-world state from the letters."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

SCENARIOS = {
    "ninh-binh-2021": "sangkien.demo.scenarios.ninh_binh_2021",
    "open-demo": "sangkien.demo.scenarios.open_demo",
    "national-2023": "sangkien.demo.scenarios.national_2023",
    "national-2026": "sangkien.demo.scenarios.national_2026",
}
#: Scenarios whose ``load()`` takes ``scale=`` (every count multiplied by it).
SCALABLE = {"national-2023"}


class Command(BaseCommand):
    help = "Load a scenario: " + ", ".join(SCENARIOS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(SCENARIOS))
        parser.add_argument("--scale", type=float, default=None,
                            help="multiply every count by F (national-2023 only; default 1)")

    def handle(self, *args: Any, **opts: Any) -> None:
        name, scale = opts["name"], opts["scale"]
        if scale is not None and name not in SCALABLE:
            raise CommandError(f"{name}: --scale chỉ dùng cho {', '.join(sorted(SCALABLE))}")
        module = importlib.import_module(SCENARIOS[name])
        try:
            result = module.load() if scale is None else module.load(scale=scale)
        except Exception as exc:  # pragma: no cover - reported to the console
            raise CommandError(f"{name}: {exc}") from exc
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, or the planner guesses badly.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        accounts = result.pop("accounts", {})
        self.stdout.write(self.style.SUCCESS(f"{name}: {result}"))
        for role, user in accounts.items():
            self.stdout.write(f"  {role}: {user.email or user.phone}")

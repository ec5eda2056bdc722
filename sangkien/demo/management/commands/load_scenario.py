"""``manage.py load_scenario NAME``: build a real-world state from the letters."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

SCENARIOS = {
    "ninh-binh-2021": "sangkien.demo.scenarios.ninh_binh_2021",
    "open-demo": "sangkien.demo.scenarios.open_demo",
}


class Command(BaseCommand):
    help = "Load a scenario: " + ", ".join(SCENARIOS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(SCENARIOS))

    def handle(self, *args: Any, **opts: Any) -> None:
        module = importlib.import_module(SCENARIOS[opts["name"]])
        try:
            result = module.load()
        except Exception as exc:  # pragma: no cover - reported to the console
            raise CommandError(f"{opts['name']}: {exc}") from exc
        accounts = result.pop("accounts", {})
        self.stdout.write(self.style.SUCCESS(f"{opts['name']}: {result}"))
        for role, user in accounts.items():
            self.stdout.write(f"  {role}: {user.email or user.phone}")

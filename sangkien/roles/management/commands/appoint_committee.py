"""``manage.py appoint_committee LOGIN``: appoint the first organising committee member.

The admin never writes roles and granting the committee role needs a committee member
(``roles.services.grant_role``), so a new installation starts here (docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.accounts.models import User
from sangkien.core.exceptions import DomainError
from sangkien.core.phone import PhoneError, normalise_phone
from sangkien.roles.services import appoint_organising_committee
from sangkien.units.models import Unit


class Command(BaseCommand):
    help = "Give an account (e-mail or phone number) the organising committee role on the national unit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", help="the account's e-mail address or phone number")

    def handle(self, *args: Any, **options: Any) -> None:
        login = options["login"].strip()
        if "@" in login:
            user = User.objects.filter(email__iexact=login).first()
        else:
            try:
                user = User.objects.filter(phone=normalise_phone(login)).first()
            except PhoneError:
                user = None
        if user is None:
            raise CommandError(f"No account with the e-mail address or phone number {login!r}.")
        root = Unit.objects.filter(depth=1, retired_on__isnull=True).order_by("path").first()
        if root is None:
            raise CommandError("No national unit yet: load the units first (manage.py load_national_units).")
        try:
            appoint_organising_committee(user=user, unit=root)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{login} is on the organising committee of {root.name}.")

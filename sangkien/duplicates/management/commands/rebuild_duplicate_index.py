"""``manage.py rebuild_duplicate_index [--programme SLUG] [--workers N] [--check] [--frequent-keys]``.

With ``--frequent-keys`` only the list of band keys held by too many
initiatives is recounted (:func:`~sangkien.duplicates.index.refresh_frequent_keys`;
nightly, so that the similar search skips keys that grew frequent).

With ``--check`` nothing is written: the command prints how many initiatives
have no fingerprint (missing) or one that no longer matches their text
(stale), and whether the index was built by another normalisation version
(``normalise.VERSION``, recorded by a rebuild of all programmes), and exits
with status 1 when there are any.  After an upgrade that bumps the version,
run the command without options (all programmes).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.duplicates.index import check, rebuild, refresh_frequent_keys
from sangkien.programmes.models import Programme


class Command(BaseCommand):
    help = ("Rebuild the near-duplicate index from the initiatives (after an upgrade of the "
            "normalisation, a restore, or to remove rows of deleted initiatives).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="slug of one programme (default: all)")
        parser.add_argument("--workers", type=int, default=1, help="processes analysing the text")
        parser.add_argument("--batch", type=int, default=2000, help="initiatives per transaction")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; report initiatives missing from the index or stale "
                                 "in it, exit 1 if any")
        parser.add_argument("--frequent-keys", action="store_true",
                            help="only recount the band keys held by too many initiatives (all programmes)")

    def handle(self, *args: Any, **options: Any) -> None:
        programme_id = None
        if options["programme"]:
            programme = Programme.objects.filter(slug=options["programme"]).first()
            if programme is None:
                raise CommandError(f"No programme with slug {options['programme']!r}.")
            programme_id = programme.pk

        if options["frequent_keys"]:
            frequent = refresh_frequent_keys()
            self.stdout.write(self.style.SUCCESS(f"{frequent:,} frequent band keys."))
            return

        if options["check"]:
            found = check(programme_id=programme_id, batch=options["batch"])
            message = (f"{found.initiatives:,} initiatives: {found.missing:,} missing from the "
                       f"duplicate index, {found.stale:,} stale.")
            if found.outdated:
                message += (f" The index was built by normalisation version {found.version}; "
                            f"the code is version {found.current}.")
            if found.ok:
                self.stdout.write(self.style.SUCCESS(message))
                return
            raise CommandError(message + " Run `manage.py rebuild_duplicate_index` to rebuild it.",
                               returncode=1)

        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done:,}")

        result = rebuild(programme_id=programme_id, workers=options["workers"], batch=options["batch"],
                         progress=progress)
        self.stdout.write(self.style.SUCCESS(
            f"Indexed {result.initiatives:,} initiatives ({result.keys:,} band keys) in "
            f"{result.seconds:.1f} s: {result.rate:,.0f} initiatives/s."))

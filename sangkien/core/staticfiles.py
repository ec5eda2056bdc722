"""A static-files finder that serves exactly the vendored files the pages use.

The npm packages ship far more than the pages load (Pico alone has 19 MB of
colour variants, Trix its test bundle): collecting and compressing all of it
would make ``collectstatic`` slow and ``var/static`` large.  This finder
exposes only the files listed in ``settings.SANGKIEN_VENDOR_FILES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder, searched_locations
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    """Find the files of ``SANGKIEN_VENDOR_FILES``: ``{static path: absolute file path}``.

    A static path such as ``vendor/trix/trix.css`` maps to one file on disk
    (usually under ``node_modules``); nothing else in that directory is served.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, Path] = {
            name: Path(path) for name, path in getattr(settings, "SANGKIEN_VENDOR_FILES", {}).items()
        }

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        """Every listed file must exist (``npm ci`` installs them)."""
        return [
            Error(f"Vendored static file {path} is missing (run `npm ci`).", id="sangkien.E001")
            for path in self.files.values()
            if not path.is_file()
        ]

    # Like Django's own finders it answers a miss with [] (django-stubs says None).
    def find(  # type: ignore[override]
        self, path: str, find_all: bool = False, **kwargs: Any
    ) -> str | list[str]:
        """Return the absolute path of ``path`` (a list of it when ``find_all``), or ``[]``."""
        if kwargs:  # RemovedInDjango61Warning: the old ``all`` keyword.
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)  # type: ignore[attr-defined]
        target = self.files.get(path)
        if target is None or not target.is_file():
            return []
        if str(target.parent) not in searched_locations:
            searched_locations.append(str(target.parent))
        return [str(target)] if find_all else str(target)

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        """Yield ``(file name, storage)`` pairs; the storage's prefix is the static directory."""
        for name, target in self.files.items():
            if not target.is_file() or utils.matches_patterns(name, ignore_patterns or []):
                continue
            storage = FileSystemStorage(location=str(target.parent))
            prefix = name.rpartition("/")[0]
            if prefix:
                storage.prefix = prefix  # type: ignore[attr-defined]  # collectstatic reads it
            yield target.name, storage

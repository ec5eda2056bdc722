"""Compile the translation catalogues before the tests when any is stale.

The ``.mo`` files are build products (not committed): ``make install`` compiles
them, and the test suite recompiles them when a ``.po`` is newer than its
``.mo`` (or the ``.mo`` is missing), so a translation edited in a branch is
what the tests see.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "sangkien" / "locale"


def stale_catalogues(locale_dir: Path = LOCALE) -> list[Path]:
    """The ``.po`` files under ``locale_dir`` whose ``.mo`` is missing or older."""
    stale = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_stale_catalogues() -> None:
    """Run ``manage.py compilemessages`` when any catalogue is stale.

    Raises ``subprocess.CalledProcessError`` when a catalogue does not compile
    (a broken ``.po`` fails the whole run rather than showing Vietnamese).
    """
    if not stale_catalogues():
        return
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "compilemessages", "-v0"],
        cwd=ROOT / "sangkien", check=True,
    )

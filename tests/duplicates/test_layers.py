"""The duplicate engine and the initiatives app do not import each other (issue 10).

``duplicates`` sits above ``initiatives``: ``initiatives`` reaches it only
through ``initiatives.text_checks`` (implemented and registered by
``duplicates``), and the engine — keyed by integer ids — imports nothing
from ``initiatives``.  Every import counts, at module level or inside a
function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SANGKIEN = Path(__file__).resolve().parents[2] / "sangkien"
ENGINE = ["normalise", "signature", "detector", "index", "exact", "models"]


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports (``from x import y`` gives ``x`` and ``x.y``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaching(paths: list[Path], package: str) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        hits = sorted(n for n in imported(path) if n == package or n.startswith(package + "."))
        if hits:
            found[str(path.relative_to(SANGKIEN))] = hits
    return found


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_imports_nothing_from_initiatives(module):
    assert reaching([SANGKIEN / "duplicates" / f"{module}.py"], "sangkien.initiatives") == {}


def test_initiatives_imports_nothing_from_duplicates():
    assert reaching(sorted((SANGKIEN / "initiatives").rglob("*.py")), "sangkien.duplicates") == {}


def test_the_duplicates_app_registers_its_checks_for_the_initiative_services():
    from sangkien.duplicates.services import DuplicateChecks
    from sangkien.initiatives.text_checks import text_checks

    assert isinstance(text_checks(), DuplicateChecks)

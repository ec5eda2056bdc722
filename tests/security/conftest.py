"""The security tests walk the same world as the language tests (tests/i18n/conftest.py)."""

from tests.i18n.conftest import _immediate_and_unthrottled, frozen, world  # noqa: F401 (fixtures)

"""The bare benchmark app (see the package docstring)."""

from django.apps import AppConfig


class BareConfig(AppConfig):
    """``benchmarks.bare``: one model, one form, one view."""

    name = "benchmarks.bare"
    label = "bare"
    default_auto_field = "django.db.models.BigAutoField"

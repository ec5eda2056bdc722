"""Benchmark settings: the product's, plus the bare one-insert app and its URL.

    DJANGO_SETTINGS_MODULE=benchmarks.bare.settings

Used only by ``benchmarks/surge.py``; never by the product.
"""

from sangkien.settings import *  # noqa: F403
from sangkien.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.bare"]
ROOT_URLCONF = "benchmarks.bare.urls"

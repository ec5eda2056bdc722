"""WSGI application for benchmarks/dashboards.py: the site as it is, or — with
``SANGKIEN_BENCH_ROLLUPS=1`` — with the dashboard pages counting from the
roll-ups (``reports.views.unit_table`` replaced by ``rollup_unit_table``,
the switch docs/benchmarks.md describes), so the web stack can be measured
before the views are changed.

    gunicorn --chdir . benchmarks.rollup_wsgi:application
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if os.environ.get("SANGKIEN_BENCH_ROLLUPS") == "1":
    from sangkien.reports import views  # noqa: E402
    from sangkien.reports.rollup import rollup_unit_table  # noqa: E402

    views.unit_table = rollup_unit_table

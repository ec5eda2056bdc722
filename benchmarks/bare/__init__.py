"""A benchmark-only Django app: the floor of a form POST that inserts one row.

Enabled only by ``benchmarks.bare.settings`` (which imports ``sangkien.settings``
and adds this app and its one URL); the product settings never list it, so it
is not reachable in the product.  ``benchmarks/surge.py`` measures the CPU of a
submission against the CPU of this form on the same gunicorn (issue 12).
"""

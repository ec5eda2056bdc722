# Type stubs for django-treebeard 7 (it ships no type hints): only the
# materialised-path API sangkien uses.  Read by mypy only (mypy_path = "stubs").

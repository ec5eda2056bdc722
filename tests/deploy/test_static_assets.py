"""Only the vendored files the pages load are served and collected from node_modules."""

from django.contrib.staticfiles import finders

from sangkien.core.staticfiles import VendorFinder


def test_the_pages_vendored_assets_are_found():
    for name in ("vendor/pico/pico.min.css", "vendor/htmx/htmx.min.js", "vendor/trix/trix.umd.min.js",
                 "vendor/trix/trix.css"):
        found = finders.find(name)
        assert found and found.endswith(name.rpartition("/")[2]), name


def test_nothing_else_from_node_modules_is_served_or_collected():
    assert finders.find("vendor/pico/pico.amber.min.css") is None  # 19 MB of colour variants
    assert finders.find("vendor/trix/test.js") is None
    listed = {storage.prefix + "/" + path for finder in finders.get_finders()
              for path, storage in finder.list([]) if getattr(storage, "prefix", None)}
    vendored = {name for name in listed if name.startswith("vendor/")}
    assert vendored == {"vendor/pico/pico.min.css", "vendor/htmx/htmx.min.js", "vendor/trix/trix.umd.min.js",
                        "vendor/trix/trix.umd.min.js.map", "vendor/trix/trix.css"}


def test_finder_reports_a_missing_vendored_file(settings, tmp_path):
    settings.SANGKIEN_VENDOR_FILES = {"vendor/x/x.js": tmp_path / "x.js"}
    finder = VendorFinder()
    assert [error.id for error in finder.check()] == ["sangkien.E001"]
    assert finder.find("vendor/x/x.js") == []

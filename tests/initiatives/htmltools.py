"""Reading rendered pages the way a browser submits them (stdlib parser only)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def tags(html: str, tag: str | None = None) -> list[dict[str, str]]:
    """The attributes of every ``tag`` element (every element when ``tag`` is None), in order."""
    parser = _Collector()
    parser.feed(html)
    return [attrs for name, attrs in parser.found if tag is None or name == tag]


def attribute_values(html: str) -> list[tuple[str, str, str]]:
    """``(tag, attribute, value)`` for every attribute of every element."""
    parser = _Collector()
    parser.feed(html)
    return [(name, key, value) for name, attrs in parser.found for key, value in attrs.items()]

"""Helpers of the language tests: what a reader sees on a page, and which of it is Vietnamese.

User data in these tests is ASCII only, so a Vietnamese letter on an English
page can only come from interface text that is not translated.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver

#: Letters only Vietnamese uses among the ones we could meet: đ, and every letter
#: carrying a breve, circumflex, horn or tone mark (checked after NFD decomposition).
_VIETNAMESE_MARKS = {
    "\u0300",  # grave (huyền)
    "\u0301",  # acute (sắc)
    "\u0309",  # hook above (hỏi)
    "\u0303",  # tilde (ngã)
    "\u0323",  # dot below (nặng)
    "\u0306",  # breve (ă)
    "\u0302",  # circumflex (â ê ô)
    "\u031b",  # horn (ơ ư)
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Attributes a reader sees or hears (screen readers); URLs and ids are not text.
TEXT_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "aria-description", "value", "content",
                   "data-confirm", "label"}
#: Of those, the ones that are always words (a field's ``value`` may be a code, ``content`` a setting).
WORD_ATTRIBUTES = TEXT_ATTRIBUTES - {"value", "content"}


def vietnamese_words(text: str) -> list[str]:
    """The words of ``text`` that hold a Vietnamese letter (đ or a marked vowel)."""
    words = []
    for word in re.findall(r"\w+", text):
        decomposed = unicodedata.normalize("NFD", word)
        if "đ" in word.lower() or any(ch in _VIETNAMESE_MARKS for ch in decomposed):
            words.append(word)
    return words


class _Reader(HTMLParser):
    """Collects text nodes and text attributes, leaving out elements marked ``lang="vi"``."""

    def __init__(self, attributes: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes = attributes
        self.texts: list[str] = []
        self.stack: list[str] = []
        self.skip_depth: int | None = None  # stack depth at which a lang="vi" element opened
        self.json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        is_vi = (attributes.get("lang") or "").lower().startswith("vi") and tag != "html"
        if self.skip_depth is None and not is_vi:
            for name, value in attrs:
                if value and name in self.attributes:
                    self.texts.append(value)
        if tag in VOID:
            return
        self.json = tag == "script" and attributes.get("type") == "application/json"
        self.stack.append(tag)
        if is_vi and self.skip_depth is None:
            self.skip_depth = len(self.stack)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            closed = self.stack.pop()
            if self.skip_depth is not None and len(self.stack) < self.skip_depth:
                self.skip_depth = None
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip_depth is None and data.strip():
            if self.json and self.stack and self.stack[-1] == "script":  # json_script: its strings, decoded
                self.texts += _strings(json.loads(data))
            else:
                self.texts.append(data.strip())


def _strings(value: object) -> list[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def visible_texts(html: str, attributes: set[str] = TEXT_ATTRIBUTES) -> list[str]:
    """Text nodes and reader-facing ``attributes`` of ``html`` outside ``lang="vi"`` elements."""
    reader = _Reader(attributes)
    reader.feed(html)
    reader.close()
    return reader.texts


def vietnamese_on_page(html: str) -> list[str]:
    """The texts of ``html`` (outside ``lang="vi"``) that hold Vietnamese words."""
    return [text[:160] for text in visible_texts(html) if vietnamese_words(text)]


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Every URL pattern of the project as ``(name, route)``: ``"imports:job"``, ``"can-bo/…"``."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace)
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            unnamed = f"<unnamed {prefix}{pattern.pattern}>"
            yield name or (f"{namespace}:{unnamed}" if namespace else unnamed), prefix + str(pattern.pattern)

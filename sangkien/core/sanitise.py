"""Sanitising rich text pasted from Word.

Descriptions keep paragraphs, line breaks, lists (nested too), tables
(``colspan``/``rowspan`` kept), bold and italic; every other tag is removed
(its text kept) and every other attribute dropped.  The sanitiser is nh3
(Rust's ammonia), not our own code; the one thing we add is turning Word's
list paragraphs (``<p class=MsoListParagraph>·&nbsp;text``, level in
``mso-list:l0 level2``) into real ``<ul>``/``<ol>`` lists, which no
sanitiser knows how to do.
"""

from __future__ import annotations

import html
import re

import nh3

TABLE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "th", "td"}
ALLOWED_TAGS = {"p", "div", "br", "ul", "ol", "li", "strong", "b", "em", "i"} | TABLE_TAGS
_SPAN_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_HAS_TAG = re.compile(
    r"</?(p|div|br|ul|ol|li|b|i|u|strong|em|span|font|html|body|head|meta|style|script|table|thead|tbody|tr|td|th"
    r"|h[1-6]|a|img|o:p)\b|<!--",
    re.IGNORECASE,
)
_EMPTY_BLOCK = re.compile(r"<(p|div)>(\s|&nbsp;|<br>)*</\1>")
_CLEAN_CONTENT = {"script", "style", "xml", "title", "head"}

# After the first pass a paragraph holds inline markup only, so a lazy match
# from <p ...> to </p> is one paragraph.
_PARAGRAPH = re.compile(r"<p(?P<attrs>\s[^>]*)?>(?P<body>.*?)</p>", re.DOTALL)
_WORD_LIST_CLASS = re.compile(r'class="[^"]*MsoListParagraph', re.IGNORECASE)
_WORD_LIST_LEVEL = re.compile(r"mso-list:\s*l\d+\s+level(\d+)", re.IGNORECASE)
_SPACE = r"(?:\s|&nbsp;|\u00a0)"
# The marker Word writes before a list item's text: a bullet glyph (Symbol
# "·", "•", Courier "o", Wingdings "§"/"▪", a dash) or a number/letter.
_BULLET = re.compile(rf"^{_SPACE}*(?:[·•§▪◦●\-–*]|o(?={_SPACE})){_SPACE}+")
_NUMBER = re.compile(rf"^{_SPACE}*\(?(?:\d{{1,3}}|[a-zA-Z]|[ivxlcIVXLC]{{1,6}})[.)]{_SPACE}+")
_MAX_DEPTH = 6


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Keep ``colspan``/``rowspan`` only as small whole numbers; keep Word's
    ``class``/``style`` on ``<p>`` for the list pass (removed after it)."""
    if attribute in ("colspan", "rowspan"):
        return value if value.isdigit() and 1 <= int(value) <= 100 else None
    return value


def _list_item(attrs: str, body: str) -> tuple[int, str, str] | None:
    """``(level, "ul"|"ol", text)`` when the paragraph is a Word list item, else None."""
    is_word_list = bool(_WORD_LIST_CLASS.search(attrs) or _WORD_LIST_LEVEL.search(attrs))
    level_match = _WORD_LIST_LEVEL.search(attrs)
    level = min(int(level_match.group(1)), _MAX_DEPTH) if level_match else 1
    bullet = _BULLET.match(body)
    if bullet and (is_word_list or body.lstrip().startswith(("·", "•"))):
        return level, "ul", body[bullet.end():]
    number = _NUMBER.match(body)
    if number and is_word_list:
        return level, "ol", body[number.end():]
    if is_word_list:  # the marker was already removed (e.g. by Word's conditional comments)
        return level, "ul", body
    return None


def _lists_from_word_paragraphs(fragment: str) -> str:
    """Turn runs of Word list paragraphs into nested ``<ul>``/``<ol>`` lists."""
    out: list[str] = []
    stack: list[str] = []  # open list tags, innermost last
    position = 0

    def close_to(depth: int) -> None:
        while len(stack) > depth:
            out.append(f"</li></{stack.pop()}>")

    for match in _PARAGRAPH.finditer(fragment):
        between = fragment[position:match.start()]
        item = _list_item(match.group("attrs") or "", match.group("body"))
        if stack and (item is None or between.strip()):
            close_to(0)
        if not stack:  # whitespace between the items of a list is dropped
            out.append(between)
        position = match.end()
        if item is None:
            out.append(f"<p>{match.group('body')}</p>")
            continue
        level, kind, text = item
        level = min(level, len(stack) + 1)  # never skip a level
        if len(stack) >= level:
            close_to(level)
            if stack[-1] != kind:  # bullets after numbers at the same level: a new list
                close_to(level - 1)
            else:
                out.append("</li>")
        while len(stack) < level:
            stack.append(kind)
            out.append(f"<{kind}>")
        out.append(f"<li>{text.strip()}")
    close_to(0)
    out.append(fragment[position:])
    return "".join(out)


def clean_description(raw: str) -> str:
    """Return safe HTML for a description.

    ``raw`` may be HTML (from the rich-text editor or a Word paste) or plain
    text (from a phone without JavaScript, an import or a script); plain text
    becomes paragraphs split on blank lines.  Scripts, styles, Word's
    ``mso-*`` markup, links and images are removed; Word's list paragraphs
    become lists; tables stay (only ``colspan``/``rowspan`` attributes).
    """
    raw = (raw or "").replace("\r\n", "\n").strip()
    if not raw:
        return ""
    if not _HAS_TAG.search(raw):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    first = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={**_SPAN_ATTRIBUTES, "p": {"class", "style"}},
        attribute_filter=_attribute_filter,
        clean_content_tags=_CLEAN_CONTENT,
        strip_comments=True,
        link_rel=None,
    )
    listed = _lists_from_word_paragraphs(first)
    cleaned = nh3.clean(listed, tags=ALLOWED_TAGS, attributes=_SPAN_ATTRIBUTES,
                        attribute_filter=_attribute_filter, strip_comments=True, link_rel=None)
    cleaned = _EMPTY_BLOCK.sub("", cleaned).replace("&nbsp;", " ").replace("\u00a0", " ")
    return cleaned.strip()


def plain_text(cleaned_html: str) -> str:
    """Return the text of sanitised HTML, one line per block or table row, for search and exports."""
    text = re.sub(r"<br\s*/?>|</(p|div|li|tr)>|<(ul|ol)>", "\n", cleaned_html or "")
    text = re.sub(r"</t[dh]>", " ", text)
    text = nh3.clean(text, tags=set())
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", html.unescape(text))
    return re.sub(r"\n{2,}", "\n", text).strip()

"""Sanitising rich text pasted from Word.

Descriptions keep paragraphs, line breaks, lists, bold and italic; every
other tag is removed (its text kept) and every attribute dropped.  The
sanitiser is nh3 (Rust's ammonia), not our own code.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "div", "br", "ul", "ol", "li", "strong", "b", "em", "i"}
_HAS_TAG = re.compile(
    r"</?(p|div|br|ul|ol|li|b|i|u|strong|em|span|font|html|body|head|meta|style|script|table|tr|td|h[1-6]|a|img|o:p)\b|<!--",
    re.IGNORECASE,
)
_EMPTY_BLOCK = re.compile(r"<(p|div)>(\s|&nbsp;|<br>)*</\1>")


def clean_description(raw: str) -> str:
    """Return safe HTML for a description.

    ``raw`` may be HTML (from the rich-text editor or a Word paste) or plain
    text (from a phone without JavaScript, an import or a script); plain text
    becomes paragraphs split on blank lines.  Scripts, styles, Word's
    ``mso-*`` markup, links and images are removed.
    """
    raw = (raw or "").replace("\r\n", "\n").strip()
    if not raw:
        return ""
    if not _HAS_TAG.search(raw):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    cleaned = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={},
        clean_content_tags={"script", "style", "xml", "title", "head"},
        strip_comments=True,
        link_rel=None,
    )
    cleaned = _EMPTY_BLOCK.sub("", cleaned).replace("&nbsp;", " ").replace("\u00a0", " ")
    return cleaned.strip()


def plain_text(cleaned_html: str) -> str:
    """Return the text of sanitised HTML, one line per block, for search and exports."""
    text = re.sub(r"<br\s*/?>|</(p|div|li)>", "\n", cleaned_html or "")
    text = nh3.clean(text, tags=set())
    return re.sub(r"\n{2,}", "\n", html.unescape(text)).strip()

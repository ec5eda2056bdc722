"""Normalisation of an initiative's text for duplicate detection.

Two submissions of the same initiative differ in ways that say nothing
about the initiative: accents typed or not, Word's bullets and non-breaking
spaces, smart quotes, blank lines, sentences in another order, the amount
written ``1.500.000 đ`` or ``1,5 triệu đồng``.  :func:`normalise` removes
those differences and returns the content syllables sentence by sentence;
``docs/duplicates.md`` describes each step and its sources.

Shape: ``normalise(title, description) -> list[list[str]]`` — one list of
tokens per sentence (the title is the first sentence).  Tokens are folded
syllables (``[a-z0-9]+``, đ → d), numbers become ``n<value>`` (amounts in
VND as whole đồng: ``n1500000``), and the stop syllables of
:data:`STOP_SYLLABLES` are dropped.
"""

from __future__ import annotations

import html
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Bumped whenever normalisation or hashing changes: the stored index must
#: then be rebuilt (``manage.py rebuild_duplicate_index``).
VERSION = 1

#: Function syllables (folded) that carry no content: conjunctions,
#: prepositions, classifiers, aspect markers, demonstratives, quantifiers.
#: Words a paraphrase adds or drops freely.  Adapted from the Vietnamese
#: stop-word lists of vietnamese-stopwords (stopwords/vietnamese-stopwords,
#: GitHub) reduced to single syllables that are function words in every use.
STOP_SYLLABLES = frozenset(["a", "ai", "ay", "bang", "bi", "boi", "cac", "cho", "cua", "cung", "da", "dang", "day", "de", "den", "deu", "do", "duoc", "gi", "giua", "hay", "hoac", "hon", "khi", "khong", "kia", "la", "lai", "lam", "len", "ma", "moi", "mot", "nay", "neu", "nen", "nhu", "nhung", "nhieu", "nua", "o", "phai", "qua", "ra", "rang", "rat", "roi", "se", "so", "sao", "ta", "tai", "theo", "tren", "trong", "tu", "tung", "va", "vao", "ve", "vi", "voi", "vua", "xuong", "ca", "nao", "nham", "the"])

_TAG = re.compile(r"<(/?)(p|div|br|li|ul|ol|tr|h[1-6])\b[^>]*>|<[^>]*>", re.IGNORECASE)
# Numbers: digits with ``.`` / ``,`` groups, an optional multiplier and
# currency.  Runs on folded text (so ``đồng`` is ``dong``).
_AMOUNT = re.compile(
    r"(?<![a-z0-9])(\d+(?:[.,]\d+)*)(?:\s*(trieu|tr|ty|ti|nghin|ngan|k)(?![a-z0-9]))?"
    r"(?:\s*(dong|vnd|d)(?![a-z0-9]))?"
)
_MULTIPLIER = {"k": 1_000, "nghin": 1_000, "ngan": 1_000, "tr": 10**6, "trieu": 10**6,
               "ty": 10**9, "ti": 10**9}
# a token is a word, or a mark that ends a sentence (a line break is one)
_TOKEN = re.compile(r"[a-z0-9]+|[.!?;:\n]")
_ENDS = frozenset(".!?;:\n")


def html_to_text(description: str) -> str:
    """Plain text of a sanitised description: one line per block element."""
    if "<" not in description:
        return html.unescape(description)
    text = _TAG.sub(lambda m: "\n" if m.group(2) else " ", description)
    return html.unescape(text)


_SPACE_CHARS = "\u00a0\u2007\u202f\u2002\u2003\u2009\u2013\u2014\u2022\u25aa\u00b7\t"


def fold_text(text: str) -> str:
    """Lower-case ASCII letters of ``text``: diacritics dropped, đ → d.

    Gives the same letters as :func:`sangkien.core.text.fold` for Vietnamese
    text, precomposed (NFC) or decomposed (NFD).  Word's odd spaces, dashes
    and bullets become spaces; every other non-ASCII character (smart
    quotes, zero-width spaces, symbols) disappears.  Done with C-level
    string operations because it runs on every submission and on every
    candidate re-ranked.
    """
    for ch in _SPACE_CHARS:
        if ch in text:
            text = text.replace(ch, " ")
    text = text.replace("đ", "d").replace("Đ", "D").replace("\u2026", ".")
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii").lower()


def _number(digits: str, multiplier: str | None) -> str:
    """The canonical value of a number: ``1.500.000`` and ``1,5 triệu`` → ``1500000``."""
    groups = re.split(r"[.,]", digits)
    seps = re.findall(r"[.,]", digits)
    if multiplier is None and len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and (
            len(set(seps)) == 1):
        return str(int("".join(groups)))  # 1.500.000 or 1,500,000: thousands
    # otherwise the last separator is the decimal mark: 1,5 triệu / 2.5 / 1.234,5
    number = "".join(groups[:-1]) + "." + groups[-1] if len(groups) > 1 else digits
    try:
        value = Decimal(number) * _MULTIPLIER.get(multiplier or "", 1)
    except InvalidOperation:
        return "".join(groups)
    if value == value.to_integral_value():
        return str(int(value))
    if multiplier:
        return str(int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return str(value.normalize()).replace(".", "p")


def _amount_token(match: re.Match[str]) -> str:
    return " n" + _number(match.group(1), match.group(2)) + " "


def normalise(title: str, description: str) -> list[list[str]]:
    """Content tokens of an initiative, sentence by sentence (title first).

    ``description`` is sanitised HTML or plain text.  Returns a list of
    sentences, each a non-empty list of tokens.
    """
    text = fold_text((title or "") + "\n" + html_to_text(description or ""))
    text = _AMOUNT.sub(_amount_token, text)
    sentences: list[list[str]] = []
    current: list[str] = []
    stop = STOP_SYLLABLES
    for token in _TOKEN.findall(text):
        if token[0] in _ENDS:
            if current:
                sentences.append(current)
                current = []
        elif token not in stop:
            current.append(token)
    if current:
        sentences.append(current)
    return sentences


def normalised_text(title: str, description: str) -> str:
    """One line per sentence of :func:`normalise`'s tokens (for display and tests)."""
    return "\n".join(" ".join(s) for s in normalise(title, description))

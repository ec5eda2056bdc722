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
import string
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Bumped whenever normalisation or hashing changes: the stored index must
#: then be rebuilt (``manage.py rebuild_duplicate_index``).
VERSION = 3

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
# Numbers written in words before a multiplier ("hai triệu đồng", "một trăm
# năm mươi nghìn") and units after a number, read token by token in
# :func:`normalise` (a text-level regex doubled its cost).  Folded words.
_NUMBER_WORDS = {"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
                 "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_SPELLING = frozenset(_NUMBER_WORDS) | {"muoi", "tram", "le", "linh"}
_MULTIPLIER_WORDS = {"trieu": 10**6, "ty": 10**9, "ti": 10**9, "nghin": 1_000, "ngan": 1_000}
_CURRENCY = frozenset({"dong", "vnd", "d"})
#: Units written several ways (folded), each to one spelling, when they follow a number.
_UNIT_WORDS = {"kg": "kg", "kilogam": "kg", "kilogram": "kg", "km": "km", "kilomet": "km",
               "h": "gio", "ph": "phut"}
_SPECIAL = frozenset(_MULTIPLIER_WORDS) | frozenset(_UNIT_WORDS) | {"phan"}


def _words_value(words: list[str]) -> int | None:
    """The value of Vietnamese number words below 1,000 ("hai trăm lẻ năm" → 205), or ``None``.

    Folded words: ``muoi`` is both mười (10) and mươi (× 10); ``lam`` (lăm)
    and ``mot`` (mốt) are 5 and 1 after a ten; ``le``/``linh`` a zero ten.
    """
    digits = _NUMBER_WORDS
    i, n, total = 0, len(words), 0
    if n >= 2 and words[0] in digits and words[1] == "tram":
        total, i = digits[words[0]] * 100, 2
        if i < n and words[i] in ("le", "linh"):
            if i + 2 != n or words[i + 1] not in digits:
                return None
            return total + digits[words[i + 1]]
    if i < n and words[i] == "muoi":
        total, i = total + 10, i + 1
    elif i + 1 < n and words[i] in digits and words[i + 1] == "muoi":
        total, i = total + digits[words[i]] * 10, i + 2
    elif i + 1 == n and words[i] in digits and words[i] != "lam":
        return total + digits[words[i]]
    if i < n and words[i] in digits and i + 1 == n:
        total, i = total + digits[words[i]], i + 1
    return total if i == n and total else None


def _is_number(token: str) -> bool:
    return token[0] == "n" and token[1:2].isdigit()


def _special(tokens: list[str], k: int, current: list[str]) -> int:
    """Handle ``tokens[k]`` (one of :data:`_SPECIAL`) into ``current``; return how many
    following tokens it consumed.

    A multiplier after number words replaces them with the amount ("hai
    triệu đồng" → ``n2000000``, "từ" of "từ hai triệu" kept: the longest
    tail of the words that is a number); "phần trăm" after a number is
    dropped like "%"; a unit after a number gets its one spelling.  Any
    other use of these words is an ordinary token.
    """
    token = tokens[k]
    previous = tokens[k - 1] if k else ""
    if token in _MULTIPLIER_WORDS:
        run = k
        while run > 0 and k - run < 6 and tokens[run - 1] in _SPELLING:
            run -= 1
        for start in range(run, k):
            value = _words_value(tokens[start:k])
            if value is None:
                continue
            kept = sum(1 for t in tokens[start:k] if t not in STOP_SYLLABLES)
            del current[len(current) - kept:]
            current.append("n" + str(value * _MULTIPLIER_WORDS[token]))
            return 1 if k + 1 < len(tokens) and tokens[k + 1] in _CURRENCY else 0
    elif token in _UNIT_WORDS:
        if previous and _is_number(previous):
            current.append(_UNIT_WORDS[token])
            return 0
    elif previous and _is_number(previous) and k + 1 < len(tokens) and tokens[k + 1] == "tram":
        return 1  # "phần trăm"
    if token not in STOP_SYLLABLES:
        current.append(token)
    return 0


# A token is a word (``[a-z0-9]+``); a mark that ends a sentence (a line break is one) separates
# sentences.  On folded (ASCII) text one ``str.translate`` turns every end mark into a line break and
# every other character that is not a letter or digit into a space: then ``split`` gives the words.
_ENDS = ".!?;:\n"
_SEPARATE = str.maketrans({chr(c): "\n" if chr(c) in _ENDS else " " for c in range(128)
                           if chr(c) not in string.ascii_lowercase + string.digits})


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
    if digits.isdigit():  # no separator (most numbers): what the general case gives, without Decimal
        return str(int(digits) * _MULTIPLIER.get(multiplier or "", 1))
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
    stop, special = STOP_SYLLABLES, _SPECIAL
    # Sentence by sentence (issue 12, round 4: a fifth of the import's text analysis): a sentence
    # without a special word is its words less the stop syllables; one with a special word is read
    # token by token (:func:`_special` looks at its neighbours, never past the sentence's end).
    for piece in text.translate(_SEPARATE).split("\n"):
        words = piece.split()
        if not words:
            continue
        if special.isdisjoint(words):
            current = [word for word in words if word not in stop]
        else:
            current = _with_special(words)
        if current:
            sentences.append(current)
    return sentences


def _with_special(words: list[str]) -> list[str]:
    """The content tokens of one sentence's ``words`` holding a word of :data:`_SPECIAL`."""
    current: list[str] = []
    stop, special = STOP_SYLLABLES, _SPECIAL
    skip = 0
    for k, token in enumerate(words):
        if skip:
            skip -= 1
        elif token in special:
            skip = _special(words, k, current)
        elif token not in stop:
            current.append(token)
    return current


def normalised_text(title: str, description: str) -> str:
    """One line per sentence of :func:`normalise`'s tokens (for display and tests)."""
    return "\n".join(" ".join(s) for s in normalise(title, description))

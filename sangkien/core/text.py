"""Vietnamese text helpers."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` and drop diacritics, đ → d included.

    Unicode decomposition alone keeps "đ" (it is a letter, not d + mark),
    so it is replaced first: ``fold("Đồng Tháp") == "dong thap"``.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower().strip()

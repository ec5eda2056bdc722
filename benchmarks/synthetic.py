"""Synthetic Vietnamese initiatives with planted duplicates, for the benchmark.

Text is made of real-looking Vietnamese syllables (onset + rhyme + tone,
written with the usual tone placement), grouped into 1–2 syllable words
whose frequencies follow Zipf's law, mixed with the real function words and
the domain's common words at realistic rates.  Each initiative has a topic
(the problem: shared by several initiatives, as when many units improve the
same thing) and its own solution; it is 150–400 words long, with amounts of
money written the Vietnamese way.

From an original, :meth:`Generator.variant` makes each kind of duplicate
the issue lists, and :meth:`Generator.same_topic` a non-duplicate: the same
problem with another solution.  Everything is seeded: the same ``seed``
gives the same corpus.
"""

from __future__ import annotations

import html
import random
import unicodedata
from dataclasses import dataclass

import numpy as np

KINDS = ("exact", "no_diacritics", "word_artefacts", "reordered", "words_changed", "numbers",
         "paraphrase")
#: Duplicates made with rules and vocabulary the detector was never tuned on
#: (issue 12): reported apart, and never used to choose a parameter.
HELD_OUT_KINDS = ("paraphrase_heldout",)

#: Real Vietnamese near-synonyms of the domain's compound words, used ONLY by
#: the held-out paraphrase (never by the detector or its tuning): a member
#: rewriting "cải tiến" as "cải thiện", "chi phí" as "kinh phí".
HELD_OUT_SYNONYMS = {
    "sáng kiến": "đề xuất", "giải pháp": "biện pháp", "công nhân": "người lao động",
    "người lao động": "công nhân", "năng suất": "hiệu suất", "hiệu quả": "kết quả",
    "sản xuất": "chế tạo", "chất lượng": "phẩm chất", "tiết kiệm": "giảm bớt", "chi phí": "kinh phí",
    "đơn vị": "cơ sở", "công ty": "doanh nghiệp", "áp dụng": "ứng dụng", "thực hiện": "triển khai",
    "quy trình": "trình tự", "cải tiến": "cải thiện", "kỹ thuật": "công nghệ", "thời gian": "thời lượng",
    "an toàn": "bảo đảm", "máy móc": "máy", "thiết bị": "trang thiết bị", "nâng cao": "tăng cường",
    "công việc": "nhiệm vụ", "giảm": "hạ", "tăng": "nâng", "kiểm tra": "rà soát", "sửa chữa": "khắc phục",
    "bảo dưỡng": "bảo trì", "quản lý": "điều hành", "tài liệu": "văn bản", "đào tạo": "huấn luyện",
    "vận hành": "điều khiển", "khách hàng": "người dùng", "hồ sơ": "giấy tờ", "phần mềm": "ứng dụng",
    "Giải pháp": "Biện pháp", "Sáng kiến": "Đề xuất", "Cải tiến": "Cải thiện", "Ứng dụng": "Áp dụng",
}
_DIGIT_WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]

_ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh",
           "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
_RHYMES = ["a", "ai", "am", "an", "ang", "anh", "ao", "au", "ay", "ăn", "ăng", "ăm", "âm", "ân",
           "âu", "ây", "e", "em", "en", "eo", "ê", "ên", "ênh", "êu", "i", "ia", "im", "in", "inh",
           "iêu", "iên", "iêt", "o", "oi", "om", "on", "ong", "oc", "ô", "ôi", "ông", "ôc", "ơ",
           "ơi", "ơn", "u", "ui", "um", "un", "ung", "uc", "uy", "uân", "uôi", "uông", "uôc", "ư",
           "ưa", "ưng", "ươi", "ương", "ươc", "at", "ac", "ach", "ât", "ăt", "ut", "ưc", "ich"]
_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # sắc huyền hỏi ngã nặng
_STOP_FINALS = ("c", "ch", "p", "t")

#: Real function words with rough relative frequencies in Vietnamese prose.
FUNCTION_WORDS = {
    "và": 30, "của": 28, "các": 26, "được": 24, "cho": 20, "trong": 20, "là": 18, "có": 18,
    "với": 16, "để": 16, "này": 14, "một": 14, "đã": 12, "khi": 10, "từ": 10, "tại": 10,
    "theo": 9, "về": 9, "như": 8, "những": 8, "thì": 6, "mà": 6, "sẽ": 6, "đang": 5, "bởi": 3,
    "vì": 5, "nên": 5, "nếu": 4, "hoặc": 4, "cũng": 6, "rất": 5, "nhiều": 6, "hơn": 6, "đến": 7,
    "trên": 6, "vào": 5, "ra": 5, "lại": 4, "đều": 3, "do": 4, "bằng": 4, "qua": 4,
}
#: Common words of initiatives, highest frequency first.
DOMAIN_WORDS = (
    "sáng kiến", "giải pháp", "công nhân", "người lao động", "năng suất", "hiệu quả", "sản xuất",
    "chất lượng", "tiết kiệm", "chi phí", "đơn vị", "công ty", "áp dụng", "thực hiện", "quy trình",
    "cải tiến", "kỹ thuật", "thời gian", "an toàn", "máy móc", "thiết bị", "nâng cao", "công việc",
    "giảm", "tăng", "học sinh", "giáo viên", "bệnh nhân", "điện năng", "nguyên liệu", "sản phẩm",
    "dây chuyền", "phần mềm", "quản lý", "công đoàn", "kiểm tra", "vận hành", "sửa chữa", "bảo dưỡng",
    "khách hàng", "hồ sơ", "tài liệu", "môi trường", "phòng", "tổ", "ca làm việc", "đào tạo",
)


def _place_tone(onset: str, rhyme: str, tone: str) -> str | None:
    if tone in ("\u0300", "\u0309", "\u0303") and rhyme.endswith(_STOP_FINALS):
        return None  # stop finals take only sắc or nặng
    vowels = [i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy"]
    if not vowels:
        return None
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if marked:
        pos = marked[-1]
    elif len(vowels) == 1 or rhyme[vowels[-1] + 1:]:
        pos = vowels[-1] if rhyme[vowels[-1] + 1:] else vowels[0]
    else:
        pos = vowels[0] if rhyme not in ("uy", "oa", "oe") else vowels[-1]
    word = onset + rhyme[:pos + 1] + tone + rhyme[pos + 1:]
    return unicodedata.normalize("NFC", word)


def syllable_inventory() -> list[str]:
    """Some 8,000 distinct written syllables (onset × rhyme × tone)."""
    out = []
    for onset in _ONSETS:
        for rhyme in _RHYMES:
            if onset in ("k",) and rhyme[0] not in "eêiy":
                continue
            if onset in ("c", "g", "ng") and rhyme[0] in "eêi":
                continue
            for tone in _TONES:
                syl = _place_tone(onset, rhyme, tone)
                if syl:
                    out.append(syl)
    return sorted(set(out))


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass
class Doc:
    """One synthetic initiative: ``title`` and ``sentences`` grouped in paragraphs."""

    id: str
    topic: int
    title: str
    paragraphs: list[list[str]]

    def description_html(self) -> str:
        return "".join("<p>" + html.escape(" ".join(p)) + "</p>" for p in self.paragraphs)

    def description_text(self) -> str:
        return "\n\n".join(" ".join(p) for p in self.paragraphs)


class Generator:
    """Seeded generator of initiatives, topics and variants."""

    def __init__(self, seed: int = 1, lexicon_size: int = 40_000, topic_words: int = 14,
                 solution_words: int = 16) -> None:
        self.rand = random.Random(seed)
        self.np = np.random.default_rng(seed)
        syllables = syllable_inventory()
        self.rand.shuffle(syllables)
        words: list[str] = list(DOMAIN_WORDS)
        seen = set(words)
        while len(words) < lexicon_size:
            n = 1 if self.rand.random() < 0.35 else 2
            # syllables themselves are Zipf-distributed
            picks = [syllables[min(int(self.np.zipf(1.3)) - 1, len(syllables) - 1)
                              if self.rand.random() < 0.5 else self.rand.randrange(len(syllables))]
                     for _ in range(n)]
            word = " ".join(picks)
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        ranks = np.arange(1, len(words) + 1, dtype=np.float64)
        weights = 1.0 / ranks ** 1.0
        self.cdf = np.cumsum(weights / weights.sum())
        self.function_words = list(FUNCTION_WORDS)
        fw = np.array(list(FUNCTION_WORDS.values()), dtype=np.float64)
        self.function_cdf = np.cumsum(fw / fw.sum())
        # each word has a fixed synonym (another word of similar rank)
        self.synonym = {}
        for rank, word in enumerate(words):
            other = min(len(words) - 1, max(0, rank + self.rand.randint(-50, 50)))
            self.synonym[word] = words[other] if other != rank else words[(rank + 1) % len(words)]
        self.topic_words = topic_words
        self.solution_words = solution_words

    # -- vocabulary -----------------------------------------------------------
    def _general(self, n: int) -> list[str]:
        idx = np.searchsorted(self.cdf, self.np.random(n))
        return [self.words[min(i, len(self.words) - 1)] for i in idx]

    def _function(self, n: int) -> list[str]:
        idx = np.searchsorted(self.function_cdf, self.np.random(n))
        return [self.function_words[min(i, len(self.function_words) - 1)] for i in idx]

    def _specific(self, n: int, rng: random.Random) -> list[str]:
        """Content words of a topic or solution: mid/low-frequency words."""
        return [self.words[rng.randrange(200, len(self.words))] for _ in range(n)]

    def topic_vocabulary(self, topic: int) -> list[str]:
        return self._specific(self.topic_words, random.Random(topic * 7919 + 17))

    # -- text -----------------------------------------------------------------
    def _sentence(self, own: list[str], share: float) -> str:
        length = self.rand.randint(9, 18)
        kinds = self.np.random(length)
        general = iter(self._general(length))
        function = iter(self._function(length))
        out = []
        for k in kinds:
            if k < 0.28:
                out.append(next(function))
            elif k < 0.28 + share:
                out.append(self.rand.choice(own))
            else:
                out.append(next(general))
        text = " ".join(out)
        return text[0].upper() + text[1:] + "."

    def _amount(self) -> str:
        value = self.rand.choice([1, 2, 3, 5, 12, 15, 25, 40, 120, 150, 250]) * self.rand.choice(
            [100_000, 1_000_000, 10_000_000])
        return _write_amount(value, self.rand.randrange(4))

    def document(self, doc_id: str, topic: int, words: int | None = None) -> Doc:
        """A new initiative on ``topic``, ``words`` long (150–400 when ``None``)."""
        target = words or self.rand.randint(150, 400)
        topic_vocab = self.topic_vocabulary(topic)
        solution = self._specific(self.solution_words, self.rand)
        stem = " ".join(topic_vocab[:3])
        title = f"{self.rand.choice(['Giải pháp', 'Sáng kiến', 'Cải tiến', 'Ứng dụng'])} {stem} " \
                f"{' '.join(solution[:2])}"
        title = title[0].upper() + title[1:]
        problem: list[str] = []
        body: list[str] = []
        effect: list[str] = []
        count = 0
        for _ in range(self.rand.randint(2, 3)):
            problem.append(self._sentence(topic_vocab, 0.30))
            count += len(problem[-1].split())
        effect.append(f"Sau khi áp dụng, đơn vị tiết kiệm được {self._amount()} mỗi năm, năng suất tăng "
                      f"{self.rand.randint(5, 40)}%.")
        count += len(effect[-1].split())
        while count < target:
            body.append(self._sentence(solution + topic_vocab[:4], 0.30))
            count += len(body[-1].split())
        return Doc(doc_id, topic, title, [problem, body, effect])

    def same_topic(self, original: Doc, doc_id: str) -> Doc:
        """Not a duplicate: the same problem (topic) solved another way."""
        return self.document(doc_id, original.topic)

    # -- duplicates -----------------------------------------------------------
    def variant(self, original: Doc, kind: str, doc_id: str) -> tuple[str, str]:
        """``(title, description)`` of a duplicate of ``original`` of ``kind``.

        The description is what the member would paste: HTML for Word
        pastes, plain text otherwise.
        """
        title, paragraphs = original.title, [list(p) for p in original.paragraphs]
        if kind == "exact":
            return title, original.description_html()
        if kind == "no_diacritics":
            return _fold(title).lower(), _fold(original.description_text()).lower()
        if kind == "word_artefacts":
            return title + "\u00a0", _word_html(paragraphs, self.rand)
        if kind == "reordered":
            sentences = [s for p in paragraphs for s in p]
            self.rand.shuffle(sentences)
            return title, "\n\n".join(sentences)
        if kind == "words_changed":
            share = self.rand.uniform(0.10, 0.30)
            return title, "\n\n".join(" ".join(self._change_words(p, share, synonyms=False))
                                      for p in paragraphs)
        if kind == "numbers":
            return title, "\n\n".join(" ".join(_rewrite_amounts(s, self.rand) for s in p)
                                      for p in paragraphs)
        if kind == "paraphrase":
            sentences = [_rewrite_amounts(s, self.rand) for p in paragraphs for s in p]
            sentences = self._change_words(sentences, self.rand.uniform(0.20, 0.35), synonyms=True)
            self.rand.shuffle(sentences)
            if len(sentences) > 4:
                sentences.pop(self.rand.randrange(len(sentences)))
            sentences.insert(self.rand.randrange(len(sentences)), self._sentence(
                self.topic_vocabulary(original.topic), 0.2))
            new_title = " ".join(self.synonym.get(w, w) if self.rand.random() < 0.3 else w
                                 for w in title.split())
            return new_title, "\n\n".join(sentences)
        if kind == "paraphrase_heldout":
            return self._held_out_paraphrase(original)
        raise ValueError(kind)

    def variant_with(self, seed: int, original: Doc, kind: str) -> tuple[str, str]:
        """:meth:`variant`, drawn from generators seeded with ``seed`` instead of this one's
        streams (which are left where they were): the same ``seed`` gives the same variant
        whatever was drawn before (for tests)."""
        saved = self.rand, self.np
        self.rand, self.np = random.Random(seed), np.random.default_rng(seed)
        try:
            return self.variant(original, kind, f"v{seed}")
        finally:
            self.rand, self.np = saved

    def _held_out_paraphrase(self, original: Doc) -> tuple[str, str]:
        """A paraphrase made with what the detector was never tuned on.

        The same share of words changed as ``paraphrase`` (20–35 %), but:
        synonyms from a separately seeded table (another word of similar
        rank) and real compound-word swaps (:data:`HELD_OUT_SYNONYMS`);
        4 % of neighbouring syllables swapped ("giản đơn" for "đơn giản");
        amounts written "2tr", "2.000.000đ", "hai triệu đồng"; percentages
        as "phần trăm"; two sentences joined by ", đồng thời"; one
        sentence dropped and one of the topic added; sentences shuffled.
        """
        rand = self.rand
        table = self._held_out_table()
        sentences = [_held_out_amounts(s, rand) for p in original.paragraphs for s in p]
        share = rand.uniform(0.20, 0.35)
        out = []
        for sentence in sentences:
            sentence = _swap_compounds(sentence, rand)
            words = sentence.split(" ")
            for i, w in enumerate(words):
                if any(ch.isdigit() for ch in w) or rand.random() >= share:
                    continue
                bare = w.rstrip(".,")
                low = bare.lower()
                if low in FUNCTION_WORDS:
                    replacement = self._function(1)[0]
                else:
                    replacement = table.get(low) or self._general(1)[0]
                words[i] = replacement + w[len(bare):]
            for i in range(1, len(words) - 1):  # "bảo đảm" / "đảm bảo": two syllables swapped
                if rand.random() < 0.04 and words[i].isalpha() and words[i + 1].isalpha():
                    words[i], words[i + 1] = words[i + 1], words[i]
            out.append(" ".join(words))
        rand.shuffle(out)
        if len(out) > 4:
            out.pop(rand.randrange(len(out)))
        if len(out) > 3:
            i = rand.randrange(len(out) - 1)
            out[i:i + 2] = [out[i].rstrip(".") + ", đồng thời " + out[i + 1][0].lower() + out[i + 1][1:]]
        out.insert(rand.randrange(len(out)), self._sentence(self.topic_vocabulary(original.topic), 0.2))
        title = original.title
        title = _swap_compounds(title, rand)
        title = " ".join(table.get(w, w) if rand.random() < 0.3 else w for w in title.split())
        return title, "\n\n".join(out)

    def _held_out_table(self) -> dict[str, str]:
        """A synonym for each word, from its own seed: not the ``synonym`` table."""
        table = self.__dict__.get("_held_out")
        if table is None:
            rng = random.Random(0x5EED)
            words = self.words
            table = {}
            for rank, word in enumerate(words):
                other = min(len(words) - 1, max(0, rank + rng.randint(-80, 80)))
                table[word] = words[other] if other != rank else words[(rank + 7) % len(words)]
            self._held_out = table
        return table

    def _change_words(self, sentences: list[str], share: float, *, synonyms: bool) -> list[str]:
        out = []
        for sentence in sentences:
            words = sentence.split(" ")
            for i, w in enumerate(words):
                if self.rand.random() >= share or any(ch.isdigit() for ch in w):
                    continue
                if synonyms:
                    bare = w.rstrip(".,").lower()
                    if bare in FUNCTION_WORDS:
                        replacement = self._function(1)[0]
                    else:
                        replacement = self.synonym.get(bare) or self._general(1)[0]
                else:
                    replacement = self._general(1)[0]
                words[i] = replacement + ("." if w.endswith(".") else "")
            out.append(" ".join(words))
        return out


def _write_amount(value: int, style: int) -> str:
    """``value`` VND in one of four ways people write it."""
    if style == 0:
        return f"{value:,}".replace(",", ".") + " đồng"
    if style == 1:
        return f"{value:,}".replace(",", ".") + " đ"
    if style == 2:
        if value >= 1_000_000_000:
            return _decimal(value / 1e9) + " tỷ đồng"
        if value >= 1_000_000:
            return _decimal(value / 1e6) + " triệu đồng"
        return _decimal(value / 1e3) + " nghìn đồng"
    return f"{value} VND"


def _decimal(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _rewrite_amounts(sentence: str, rand: random.Random) -> str:
    """Write every amount of ``sentence`` another way (same value)."""
    import re

    from sangkien.core.money import parse_vnd

    def repl(m: re.Match[str]) -> str:
        value = parse_vnd(m.group(0))
        if value is None:
            return m.group(0)
        styles = [0, 1, 2, 3]
        return _write_amount(value, rand.choice(styles))

    pattern = r"\d[\d.,]*\s*(?:tỷ|triệu|nghìn)?\s*(?:đồng|đ|VND)(?![\wđ])"
    out = re.sub(pattern, repl, sentence)
    return re.sub(r"(\d+)%", lambda m: m.group(1) + " %", out)


def _swap_compounds(text: str, rand: random.Random) -> str:
    """``text`` with 70 % of its :data:`HELD_OUT_SYNONYMS` phrases swapped (whole words, one pass)."""
    import re

    phrases = sorted(HELD_OUT_SYNONYMS, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, phrases)) + r")(?!\w)")
    return pattern.sub(lambda m: HELD_OUT_SYNONYMS[m.group(1)] if rand.random() < 0.7 else m.group(1), text)


def _words_below_1000(n: int) -> str:
    """Vietnamese reading of ``0 < n < 1000``: 25 → "hai mươi lăm", 150 → "một trăm năm mươi"."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = []
    if hundreds:
        out += [_DIGIT_WORDS[hundreds], "trăm"]
        if rest and tens == 0:
            out.append("lẻ")
    if tens == 1:
        out.append("mười")
    elif tens:
        out += [_DIGIT_WORDS[tens], "mươi"]
    if units:
        if units == 5 and tens:
            out.append("lăm")
        elif units == 1 and tens > 1:
            out.append("mốt")
        else:
            out.append(_DIGIT_WORDS[units])
    return " ".join(out)


def _held_out_amount(value: int, rand: random.Random) -> str:
    """``value`` VND written a way the tuned benchmark never writes it."""
    styles = ["nodot_d", "vnd_caps"]
    units = [(unit, short, word) for unit, short, word in
             ((10**9, "tỷ", "tỷ"), (10**6, "tr", "triệu"), (10**3, "k", "nghìn"))
             if value >= unit and value % unit == 0 and value // unit < 1000]
    if units:
        unit, short, word = units[0]
        styles += ["short", "words"]
    style = rand.choice(styles)
    if style == "nodot_d":
        return f"{value:,}".replace(",", ".") + "đ"
    if style == "vnd_caps":
        return f"{value:,}".replace(",", ".") + " VNĐ"
    if style == "short":
        return f"{value // unit}{short}"
    return f"{_words_below_1000(value // unit)} {word} đồng"


def _held_out_amounts(sentence: str, rand: random.Random) -> str:
    """Every amount of ``sentence`` written by :func:`_held_out_amount`; "40%" → "40 phần trăm"."""
    import re

    from sangkien.core.money import parse_vnd

    def repl(m: re.Match[str]) -> str:
        value = parse_vnd(m.group(0))
        return m.group(0) if value is None else _held_out_amount(value, rand)

    pattern = r"\d[\d.,]*\s*(?:tỷ|triệu|nghìn)?\s*(?:đồng|đ|VND)(?![\wđ])"
    out = re.sub(pattern, repl, sentence)
    return re.sub(r"(\d+)%", lambda m: m.group(1) + " phần trăm", out)


def _word_html(paragraphs: list[list[str]], rand: random.Random) -> str:
    """What Word puts on the clipboard: MsoNormal, nbsp, bullets, smart quotes, blank lines."""
    parts = ['<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>'
             'p.MsoNormal{mso-style-parent:"";}</style></head><body>']
    for paragraph in paragraphs:
        for sentence in paragraph:
            words = sentence.split(" ")
            if len(words) > 4:
                i = rand.randrange(len(words) - 3)
                words[i] = "\u201c" + words[i]
                words[i + 2] = words[i + 2] + "\u201d"
            text = html.escape(" ".join(words)).replace(" ", "&nbsp;", 2)
            bullet = rand.choice(["\u2022\t", "-&nbsp;", "\u25aa ", ""])
            parts.append(f'<p class="MsoNormal" style="margin-left:18pt"><span style="mso-list:l0">'
                         f"{bullet}</span>{text}<o:p></o:p></p>")
        parts.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
    parts.append("</body></html>")
    return "".join(parts)

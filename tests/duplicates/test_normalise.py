"""Normalisation: accents, đ, Word artefacts, amounts, sentence order."""

from sangkien.core.text import fold
from sangkien.duplicates.detector import Document
from sangkien.duplicates.normalise import fold_text, normalise
from sangkien.duplicates.signature import jaccard
from tests.duplicates.texts import DYEING_TITLE, KINDS, WORD_HTML, dyeing_text


def test_fold_drops_accents_and_d_bar_like_core_fold():
    text = "Đổi mới QUY TRÌNH sản xuất ở Đồng Tháp, ươ ỹ"
    assert fold_text(text) == fold(text)
    assert fold_text("Đồng đội") == "dong doi"


def test_decomposed_and_precomposed_text_are_the_same():
    import unicodedata

    text = dyeing_text()
    assert normalise("", unicodedata.normalize("NFD", text)) == normalise("", text)


def test_amounts_written_differently_become_one_token():
    variants = ["1.500.000 đ", "1,5 triệu đồng", "1500000 VND", "1.500.000đ", "1,5 tr", "1500 nghìn đồng",
                "1.500.000\u00a0đồng"]
    tokens = {tuple(normalise("", f"Làm lợi {v} mỗi tháng.")[0]) for v in variants}
    assert tokens == {("loi", "n1500000", "thang")}  # làm, mỗi: stop syllables
    assert normalise("", "Năm 2021 tăng 2,5% và 2.5%")[0] == ["nam", "n2021", "tang", "n2p5", "n2p5"]


def test_word_artefacts_leave_nothing_behind():
    from sangkien.core.sanitise import clean_description

    assert normalise(DYEING_TITLE + "\u00a0", clean_description(WORD_HTML)) == normalise(DYEING_TITLE, dyeing_text())


def test_sentences_are_split_and_stop_syllables_dropped():
    assert normalise("Tên giải pháp", "Công nhân và máy móc. Của các tổ!\n\nCuối ca") == [
        ["ten", "giai", "phap"], ["cong", "nhan", "may", "moc"], ["to"], ["cuoi"]]


def test_reordering_does_not_change_the_shingle_set():
    a = Document.of(*KINDS["exact"])
    b = Document.of(*KINDS["reordered"])
    assert jaccard(a.shingles, b.shingles) == 1.0
    assert a.normalised != b.normalised  # not the same text, though

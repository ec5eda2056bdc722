"""Money, phone, sanitising and folding: the inputs members actually type."""

from pathlib import Path

import pytest

from sangkien.core.money import AmountError, parse_vnd
from sangkien.core.phone import PhoneError, display_phone, mask_phone, normalise_phone
from sangkien.core.sanitise import clean_description, plain_text
from sangkien.core.text import fold


@pytest.mark.parametrize(("text", "expected"), [
    ("1.500.000", 1_500_000),
    ("1,5 triệu", 1_500_000),
    ("1500000", 1_500_000),
    ("1.500.000 đ", 1_500_000),
    ("1.500.000đ", 1_500_000),
    ("1.500.000 đồng", 1_500_000),
    ("2 tỷ", 2_000_000_000),
    ("1,2 tỷ đồng", 1_200_000_000),
    ("500 nghìn", 500_000),
    ("500k", 500_000),
    ("15 tr", 15_000_000),
    ("1,500,000", 1_500_000),
    ("1.500.000,50", 1_500_001),
    ("0", 0),
    ("", None),
    ("   ", None),
])
def test_parse_vnd_accepts_the_ways_people_write_amounts(text, expected):
    assert parse_vnd(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.50.00", "-5000", "12 đô", "1,5 triệu triệu", "10000000000000000"])
def test_parse_vnd_refuses_what_is_not_an_amount(text):
    with pytest.raises(AmountError):
        parse_vnd(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("0978.892.973", "+84978892973"),
    ("0978 892 973", "+84978892973"),
    ("+84 978 892 973", "+84978892973"),
    ("84978892973", "+84978892973"),
    ("(+84) 0978-892-973", "+84978892973"),
    ("02293871234", "+842293871234"),
])
def test_phone_numbers_get_one_normal_form(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "0978abc973", "+1 202 555 0100", "09788929731234"])
def test_bad_phone_numbers_are_refused(text):
    with pytest.raises(PhoneError):
        normalise_phone(text)


def test_phone_display_and_mask():
    assert display_phone("+84978892973") == "0978 892 973"
    assert mask_phone("+84978892973") == "0978 *** 973"


def test_word_paste_keeps_paragraphs_lists_bold_italic_and_drops_the_rest():
    pasted = (
        '<html><head><style>p.MsoNormal{margin:0}</style></head><body>'
        '<p class="MsoNormal" style="mso-line-height:1.5"><b>Thực trạng</b>: máy <i>hay</i> dừng&nbsp;ca.</p>'
        '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->'
        '<ul><li>Bước 1</li><li><span style="color:red">Bước 2</span></li></ul>'
        '<script>alert(1)</script><img src=x onerror=alert(1)><a href="http://x">liên kết</a>'
        '<table><tr><td>ô</td></tr></table><p>&nbsp;</p></body></html>'
    )
    cleaned = clean_description(pasted)
    assert "<p><b>Thực trạng</b>: máy <i>hay</i> dừng ca.</p>" in cleaned
    assert "<ul><li>Bước 1</li><li>Bước 2</li></ul>" in cleaned
    for gone in ("script", "alert", "<img", "<a", "style", "class=", "mso", "<p> </p>", "<p></p>"):
        assert gone not in cleaned
    assert "liên kết" in cleaned
    assert "<table><tbody><tr><td>ô</td></tr></tbody></table>" in cleaned


def test_plain_text_from_a_phone_becomes_paragraphs():
    cleaned = clean_description("Dòng 1\ncòn dòng 1\n\nĐoạn 2 <không phải thẻ")
    assert cleaned == "<p>Dòng 1<br>còn dòng 1</p><p>Đoạn 2 &lt;không phải thẻ</p>"
    assert plain_text(cleaned).splitlines() == ["Dòng 1", "còn dòng 1", "Đoạn 2 <không phải thẻ"]


def test_fold_removes_accents_including_d_bar():
    assert fold("Đồng Tháp") == "dong thap"
    assert fold("CĐCS Trường THCS Khánh Hội") == "cdcs truong thcs khanh hoi"


WORD_CLIPBOARD = (Path(__file__).parent / "data" / "word_clipboard.html").read_text(encoding="utf-8")


def test_word_clipboard_keeps_bullets_numbers_nesting_and_tables():
    """Issue 8.11: Word's list paragraphs become lists; its tables stay tables."""
    cleaned = clean_description(WORD_CLIPBOARD)
    assert ("<ul><li>Mài dao theo lịch mỗi tuần<ul><li>Tổ trưởng ghi sổ</li></ul></li>"
            "<li>Thay dao khi cắt quá 500 m</li></ul>") in cleaned
    assert "<ol><li>Khảo sát máy</li><li>Lập lịch mài dao</li></ol>" in cleaned
    assert '<td colspan="2">' in cleaned and cleaned.count("<tr>") == 2 and cleaned.count("<td") == 5
    for gone in ("·", "mso", "class=", "style=", "width=", "valign", "o:p", "StartFragment", "Symbol"):
        assert gone not in cleaned
    text = plain_text(cleaned)
    assert "Tổ trưởng ghi sổ" in text.splitlines() and "Số lần dừng máy/ca" in text.splitlines()


@pytest.mark.parametrize(("pasted", "expected"), [
    ("<p class=MsoListParagraph>·&nbsp;một</p><p class=MsoListParagraph>·&nbsp;hai</p><p>sau</p>",
     "<ul><li>một</li><li>hai</li></ul><p>sau</p>"),
    ("<p>·&nbsp;&nbsp;không có class</p>", "<ul><li>không có class</li></ul>"),
    ("<p class=MsoListParagraphCxSpFirst>a)&nbsp;thứ nhất</p><p class=MsoListParagraphCxSpLast>b)&nbsp;thứ hai</p>",
     "<ol><li>thứ nhất</li><li>thứ hai</li></ol>"),
    ("<p>1. Không phải danh sách của Word</p>", "<p>1. Không phải danh sách của Word</p>"),
    ('<table><tr><th rowspan="2" onclick="x()" style="color:red">A</th><td colspan="abc">B</td></tr></table>',
     '<table><tbody><tr><th rowspan="2">A</th><td>B</td></tr></tbody></table>'),
])
def test_word_list_paragraphs_and_table_attributes(pasted, expected):
    assert clean_description(pasted) == expected

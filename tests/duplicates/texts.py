"""Initiatives written as members write them, and their duplicates of every kind.

``DYEING`` is the original.  Each ``KINDS`` entry is how the same initiative
comes back: resubmitted, typed without accents on a phone, pasted from Word,
sentences reordered, words changed, the amount written another way,
paraphrased.  ``SAME_TOPIC`` is the same problem solved another way: NOT a
duplicate.  ``OTHERS`` are unrelated initiatives of the same programme.
"""

from __future__ import annotations

from sangkien.core.text import fold

DYEING_TITLE = "Cải tiến quy trình vệ sinh máy dệt kim giúp giảm thời gian dừng máy"
DYEING_SENTENCES = [
    "Tại phân xưởng dệt kim của công ty, mỗi ca làm việc các máy dệt phải dừng khoảng 45 phút để vệ sinh "
    "bụi bông bám trên kim và trục cuốn.",
    "Việc vệ sinh thủ công bằng chổi quét làm bụi bay sang máy bên cạnh, công nhân mất nhiều thời gian và "
    "vải thường bị lỗi sợi sau khi chạy lại.",
    "Tôi đề xuất chế tạo bộ vòi thổi khí nén gắn cố định trên giá đỡ kim, điều khiển bằng van điện từ và "
    "rơ le thời gian.",
    "Cứ sau 90 phút vận hành, van tự mở trong 20 giây để thổi sạch bụi bông xuống khay hứng đặt dưới máy.",
    "Bụi trong khay được công nhân thu gom cuối ca, không còn phải dừng máy để quét.",
    "Bộ vòi được làm từ ống đồng phi 6, tận dụng máy nén khí sẵn có của xưởng nên chi phí chế tạo thấp.",
    "Sau ba tháng áp dụng trên 24 máy, thời gian dừng máy giảm từ 45 phút xuống còn 8 phút mỗi ca, tỷ lệ vải "
    "lỗi sợi giảm một nửa.",
    "Giá trị làm lợi ước tính 1.500.000 đ mỗi máy mỗi tháng, cả xưởng tiết kiệm khoảng 432.000.000 đ mỗi năm.",
]

#: The same problem, another solution: a sensor and a rota instead of compressed air.
SAME_TOPIC_TITLE = "Sắp xếp lại lịch vệ sinh máy dệt kim để giảm thời gian dừng máy"
SAME_TOPIC = (
    "Tại phân xưởng dệt kim, các máy dệt phải dừng khoảng 45 phút mỗi ca để vệ sinh bụi bông bám trên kim. "
    "Tôi đề xuất lập lịch vệ sinh so le giữa các tổ: mỗi lần chỉ dừng hai máy, tổ trưởng phân công một "
    "công nhân chuyên trách dùng máy hút bụi cầm tay. Bảng theo dõi treo tại đầu dãy máy ghi giờ vệ sinh, "
    "người vệ sinh ký tên. Công nhân đứng máy được đào tạo lại cách kiểm tra độ căng sợi trước khi chạy lại. "
    "Nhờ dừng so le, sản lượng cả ca không bị gián đoạn, tổ sản xuất chủ động bố trí giờ nghỉ giữa ca. "
    "Sau hai tháng, số lần phải dừng đột xuất giảm rõ rệt và công nhân đồng tình với cách làm mới."
)

OTHERS = [
    ("Ứng dụng bản đồ tư duy trong dạy học môn Ngữ văn lớp 8",
     "Giáo viên hướng dẫn học sinh vẽ bản đồ tư duy cho từng tác phẩm: nhân vật ở giữa, các nhánh là sự "
     "kiện, chi tiết nghệ thuật và ý nghĩa. Học sinh làm việc theo nhóm bốn em, trình bày trước lớp trong "
     "năm phút. Kết quả kiểm tra cuối kỳ, tỷ lệ học sinh đạt điểm khá giỏi tăng từ 42% lên 61%."),
    ("Thay đèn chiếu sáng nhà xưởng bằng đèn LED và cảm biến chuyển động",
     "Nhà xưởng có 320 bóng đèn huỳnh quang bật suốt ca kể cả ở lối đi ít người qua lại. Tổ điện thay bằng "
     "đèn LED công suất thấp, lắp cảm biến chuyển động ở kho và lối đi. Điện năng chiếu sáng giảm 58%, "
     "tiết kiệm khoảng 96 triệu đồng mỗi năm."),
    ("Phần mềm theo dõi hồ sơ bệnh án ngoại trú tại trạm y tế xã",
     "Trạm y tế dùng sổ giấy nên tìm hồ sơ tái khám mất nhiều thời gian. Nhân viên trạm xây dựng bảng tính "
     "dùng chung có mã bệnh nhân, lịch hẹn tái khám và nhắc lịch qua tin nhắn. Thời gian tìm hồ sơ giảm từ "
     "mười phút xuống dưới một phút."),
]


def dyeing_text(sentences: list[str] | None = None) -> str:
    return " ".join(sentences or DYEING_SENTENCES)


def _changed_words(share: float, seed: int = 7) -> str:
    """Replace ``share`` of the words, at random places (seeded), by other words."""
    import random

    rand = random.Random(seed)
    words = dyeing_text().split(" ")
    places = rand.sample(range(len(words)), round(share * len(words)))
    fillers = ["chuyên", "thêm", "nhanh", "gọn", "mới", "đều", "tốt", "kỹ", "sớm", "chắc", "liền", "gấp"]
    for place in places:
        words[place] = rand.choice(fillers)
    return " ".join(words)


def _word_paragraph(sentence: str) -> str:
    quoted = sentence.replace(" vệ sinh ", " \u201cvệ sinh\u201d ", 1).replace(" ", "&nbsp;", 2)
    bullet = '<span style="mso-list:l0 level1">\u2022\u00a0\u00a0</span>'
    return (f'<p class="MsoNormal" style="margin-left:18pt">{bullet}{quoted}<o:p></o:p></p>'
            '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')


#: What Word puts on the clipboard: MsoNormal, bullets, nbsp, smart quotes, blank paragraphs.
WORD_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}</style>'
    "</head><body>" + "".join(_word_paragraph(s) for s in DYEING_SENTENCES) + "</body></html>"
)

PARAPHRASE_TITLE = "Lắp vòi thổi khí nén tự động làm sạch bụi bông trên máy dệt kim"
PARAPHRASE = (
    "Lắp vòi thổi khí nén tự động trên giá đỡ kim của máy dệt kim, dùng van điện từ và rơ le thời gian "
    "điều khiển. Van tự mở 20 giây sau mỗi 90 phút máy chạy, thổi sạch bụi bông xuống khay hứng đặt dưới "
    "máy. Trước đây mỗi ca các máy dệt dừng khoảng 45 phút để vệ sinh bụi bông bám trên kim và trục cuốn, "
    "công nhân quét bằng chổi nên bụi bay sang máy bên cạnh và vải hay bị lỗi sợi khi chạy lại. Cuối ca "
    "công nhân mới thu gom bụi trong khay, không phải dừng máy để quét. Vòi làm bằng ống đồng phi 6, dùng "
    "máy nén khí có sẵn của xưởng nên chi phí chế tạo thấp. Áp dụng ba tháng trên 24 máy: thời gian dừng "
    "máy còn 8 phút mỗi ca thay vì 45 phút, vải lỗi sợi giảm một nửa. Làm lợi khoảng 1,5 triệu đồng mỗi "
    "máy mỗi tháng, cả xưởng tiết kiệm chừng 432 triệu đồng mỗi năm."
)

#: kind → (title, description as pasted)
KINDS: dict[str, tuple[str, str]] = {
    "exact": (DYEING_TITLE, dyeing_text()),
    "no_diacritics": (fold(DYEING_TITLE), fold(dyeing_text())),
    "word_artefacts": (DYEING_TITLE + "\u00a0", WORD_HTML),
    "reordered": (DYEING_TITLE, dyeing_text(list(reversed(DYEING_SENTENCES)))),
    "words_changed_10": (DYEING_TITLE, _changed_words(0.10)),
    "words_changed_20": (DYEING_TITLE, _changed_words(0.20)),
    "words_changed_30": (DYEING_TITLE, _changed_words(0.30)),
    "numbers": (DYEING_TITLE, dyeing_text().replace("1.500.000 đ", "1,5 triệu đồng")
                .replace("432.000.000 đ", "432 triệu đồng")),
    "paraphrase": (PARAPHRASE_TITLE, PARAPHRASE),
}

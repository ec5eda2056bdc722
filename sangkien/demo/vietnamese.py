"""Vietnamese-looking names and texts for generated demo data (seeded, fast).

Nothing here is a real person or company: surnames and given names are
drawn with rough national frequencies, companies are made of a legal form,
a trade and an invented brand, titles of initiatives of an action and an
object of the unit's trade.
"""

from __future__ import annotations

import random

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Lương", "Trịnh", "Mai", "Tạ", "Hà"]
SURNAME_WEIGHTS = [38, 11, 9.5, 7, 4, 2, 4.5, 2.5, 1.5, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5, 1, 0.6, 0.6,
                   0.6, 0.3, 0.5]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Xuân", "Công", "Tiến", "Ngọc"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Kim", "Mai"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Mạnh",
              "Nam", "Phong", "Quân", "Sơn", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu"]
GIVEN_FEMALE = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh",
                "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Vân", "Yến"]

TRADES = ["May", "Dệt", "Giày da", "Điện tử", "Cơ khí", "Thực phẩm", "Nhựa", "Bao bì", "Xây dựng",
          "Thép", "Đồ gỗ", "Vật liệu xây dựng", "Dược phẩm", "Thức ăn chăn nuôi", "Linh kiện",
          "Chế biến thủy sản", "Vận tải", "Cấp nước", "Điện lực", "Cao su"]
BRANDS = ["Minh Anh", "Thành Công", "Việt Hưng", "An Phát", "Đại Dương", "Phú Thịnh", "Hòa Bình",
          "Tân Tiến", "Hưng Thịnh", "Sao Mai", "Bình Minh", "Trường Sơn", "Hồng Hà", "Phúc Lộc",
          "Kim Long", "Thái Sơn", "Nam Việt", "Tiến Đạt", "Quang Minh", "Thiên Phú"]
FOREIGN_BRANDS = ["Hanwa", "Sunrise", "Kyoei", "Daeyang", "Everwin", "Taiyo", "Jinsung", "Fuyo",
                  "Meiko", "Shinwoo", "Golden Star", "Asahi", "Hoyen", "Kanpai", "Woosung"]
LEGAL_FORMS = ["TNHH", "Cổ phần", "TNHH MTV"]

ACTIONS = ["Cải tiến", "Tối ưu hóa", "Số hóa", "Chuẩn hóa", "Tự động hóa", "Đổi mới", "Sắp xếp lại",
           "Ứng dụng phần mềm trong", "Thiết kế lại", "Nâng cao hiệu quả"]
OBJECTS = {
    "giao-duc": ["bài giảng môn {s}", "phương pháp ôn tập môn {s}", "sổ theo dõi học sinh",
                 "hoạt động trải nghiệm cho học sinh", "kiểm tra đánh giá môn {s}", "thư viện số của trường"],
    "y-te": ["quy trình tiếp đón người bệnh", "phân luồng khám bệnh", "quản lý hồ sơ bệnh án",
             "cấp phát thuốc nội trú", "chăm sóc người bệnh sau phẫu thuật", "kiểm soát nhiễm khuẩn"],
    "san-xuat": ["đồ gá dây chuyền {s}", "quy trình thay khuôn", "công đoạn {s}", "hệ thống khí nén",
                 "lò sấy", "máy cắt", "cách bố trí chuyền {s}", "bảo dưỡng thiết bị"],
    "an-toan": ["cảm biến dừng máy an toàn", "quy trình khóa thẻ an toàn", "thông gió xưởng {s}",
                "biển cảnh báo tại công đoạn {s}"],
    "quan-ly": ["quy trình tiếp nhận hồ sơ", "quản lý kho vật tư", "lưu trữ văn bản",
                "chấm công, tính lương", "báo cáo thống kê định kỳ", "quy trình một cửa"],
    "cntt": ["nhắc lịch bảo dưỡng bằng tin nhắn", "quản lý tài sản bằng mã QR", "họp trực tuyến",
             "chữ ký số văn bản", "bảng tính theo dõi công việc"],
    "nong-nghiep": ["lịch tưới tiêu", "quy trình ủ phân hữu cơ", "phòng trừ sâu bệnh",
                    "nuôi trồng thủy sản", "chọn giống cây trồng"],
    "khac": ["công tác văn phòng", "phong trào văn hóa, thể thao", "công tác công đoàn"],
}
SUBJECTS = ["Toán", "Ngữ văn", "Tiếng Anh", "Lịch sử", "Vật lý", "Hóa học", "Sinh học", "Tin học",
            "đóng gói", "may", "cắt", "hàn", "sơn", "lắp ráp", "kiểm hàng"]
EFFECTS = ["Giảm thời gian thực hiện, tăng năng suất lao động.",
           "Tiết kiệm vật tư, điện năng; giảm chi phí sản xuất.",
           "Giảm sai sót, nâng cao chất lượng công việc.",
           "Bảo đảm an toàn cho người lao động.",
           "Người dân, người bệnh, học sinh hài lòng hơn."]


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{surname} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


def company(rng: random.Random, *, foreign: bool = False) -> str:
    if foreign:
        return f"Công ty TNHH {rng.choice(TRADES)} {rng.choice(FOREIGN_BRANDS)} Việt Nam"
    return f"Công ty {rng.choice(LEGAL_FORMS)} {rng.choice(TRADES)} {rng.choice(BRANDS)}"


#: Names schools are given after (streets, heroes, scholars).
NAMESAKES = ["Lê Lợi", "Nguyễn Du", "Chu Văn An", "Quang Trung", "Trần Phú", "Lê Quý Đôn", "Nguyễn Trãi",
             "Kim Đồng", "Võ Thị Sáu", "Lý Tự Trọng", "Nguyễn Huệ", "Hai Bà Trưng"]
#: Commune-like names for the public units a person names with "my union is not listed".
PLACES = ["Hòa Bình", "Tân Tiến", "Bình Minh", "Hưng Thịnh", "Phú Thịnh", "Đại Đồng", "An Phú",
          "Thanh Tân", "Quảng Phú", "Hồng Phong"]
_AGENCIES = ["Trung tâm Dịch vụ việc làm", "Trung tâm Văn hóa - Thể thao", "Ban Quản lý dự án",
             "Trung tâm Phát triển quỹ đất", "Trung tâm Lưu trữ lịch sử"]


def workplace(rng: random.Random, profile: str) -> str:
    """A workplace a person names when their union is not listed, of the kind ``profile``.

    ``profile`` is a key of ``national_2023_units.PROFILES``: ``school``,
    ``high_school``, ``commune``, ``agency``, ``hospital``, ``agri``,
    ``enterprise`` or ``fdi`` (a company; anything unknown is one too).
    """
    match profile:
        case "school":
            return f"Trường {rng.choice(['Mầm non', 'Tiểu học', 'THCS'])} {rng.choice(NAMESAKES)}"
        case "high_school":
            return f"Trường THPT {rng.choice(NAMESAKES)}"
        case "commune":
            return f"UBND xã {rng.choice(PLACES)}"
        case "agency":
            return rng.choice(_AGENCIES)
        case "hospital":
            return f"Trạm Y tế xã {rng.choice(PLACES)}"
        case "agri":
            return f"Trạm Khuyến nông {rng.choice(PLACES)}"
        case "fdi":
            return company(rng, foreign=True)
        case _:
            return company(rng)


def title(rng: random.Random, field_code: str, workplace: str) -> str:
    obj = rng.choice(OBJECTS[field_code]).format(s=rng.choice(SUBJECTS))
    return f"{rng.choice(ACTIONS)} {obj} tại {workplace}"[:300]


def description(rng: random.Random, title_text: str) -> str:
    """Short HTML as the sanitiser keeps it: paragraphs and a list."""
    return (f"<p><strong>Thực trạng:</strong> việc “{title_text[:80].lower()}” trước đây làm thủ công, "
            "mất thời gian, dễ sai sót.</p><ul><li>Khảo sát, xác định các bước lãng phí;</li>"
            f"<li>Áp dụng giải pháp mới, hướng dẫn đồng nghiệp;</li><li>Theo dõi {rng.randint(4, 16)} tuần."
            "</li></ul>")

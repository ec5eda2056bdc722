"""The columns of the grassroots officer's template ("theo mẫu gửi kèm").

One row per initiative.  Each column has a key (used in code and in error
reports), a Vietnamese header, whether it is required, its length limit in
characters and the explanation printed on the notes sheet.  The reader
recognises a header by its Vietnamese text, its translation in the current
language or its key, accents and case ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from sangkien.core.text import fold

MAX_CO_AUTHORS = 10
#: Rows whose first column (STT) says this are examples: skipped on import.
EXAMPLE_MARK = gettext_noop("Ví dụ")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Vietnamese msgid (gettext_noop); translated by :meth:`title`
    required: bool = False
    max_length: int | None = None
    width: int = 18
    note: Promise | str = ""
    example: str = ""  # a msgid (gettext_noop) where it is words; see :meth:`sample`
    text_format: bool = False  # keep as text in Excel (phones, dates: no reformatting)

    def title(self) -> str:
        """The header in the current language."""
        return gettext(self.header)

    def sample(self) -> str:
        """The example value in the current language (its msgid when it has words)."""
        return gettext(self.example) if self.example else ""

    def label(self) -> str:
        """The header as written in the template: required columns end with ``*``."""
        return self.title() + (" *" if self.required else "")


COLUMNS: tuple[Column, ...] = (
    Column("row_no", gettext_noop("STT"), width=7,
           note=_("Số thứ tự, tuỳ ý. Dòng có STT là “Ví dụ” là dòng mẫu và được bỏ qua khi nhập."),
           example="1"),
    Column("author_full_name", gettext_noop("Họ và tên tác giả"), required=True, max_length=150, width=24,
           note=_("Tác giả chính (người có sáng kiến)."), example=gettext_noop("Nguyễn Thị Hoa")),
    Column("author_phone", gettext_noop("Số điện thoại"), max_length=20, width=15, text_format=True,
           note=_("Số điện thoại Việt Nam, ví dụ 0978 892 973. Phải có số điện thoại hoặc e-mail."),
           example="0978 892 973"),
    Column("author_email", gettext_noop("E-mail"), max_length=254, width=22,
           note=_("Địa chỉ e-mail (nếu có)."), example="hoa@example.vn"),
    Column("author_job", gettext_noop("Công việc, chức vụ"), max_length=150, width=18,
           note=_("Công việc hoặc chức vụ của tác giả."), example=gettext_noop("Công nhân may")),
    Column("author_workplace", gettext_noop("Nơi làm việc"), max_length=255, width=22,
           note=_("Phòng, phân xưởng, tổ nơi tác giả làm việc."), example=gettext_noop("Phân xưởng may 2")),
    Column("co_authors", gettext_noop("Đồng tác giả"), width=26,
           note=_("Mỗi người: Họ và tên, số điện thoại (nếu có); nhiều người cách nhau bằng dấu “;” "
                  "hoặc xuống dòng. Tối đa 10 người."),
           example=gettext_noop("Trần Văn Bình, 0987 654 321; Lê Thị Cúc")),
    Column("unit", gettext_noop("Công đoàn cơ sở"), required=True, max_length=300, width=34,
           note=_("Chọn trong danh sách (tên và mã đơn vị), gõ mã đơn vị hoặc gõ tên như thường viết "
                  "(“Huyện Yên Khánh”, “TP Tam Điệp”, không dấu cũng được). Chỉ nhận các đơn vị "
                  "thuộc phạm vi của bạn. Để trống nếu bạn nhập cho chính công đoàn cơ sở của mình."),
           example=""),
    Column("sector_block", gettext_noop("Khối"), required=True, width=24,
           note=_("Khối doanh nghiệp hoặc Khối hành chính sự nghiệp (chọn trong danh sách)."),
           example=gettext_noop("Khối doanh nghiệp")),
    Column("field", gettext_noop("Lĩnh vực"), width=22, note=_("Chọn trong danh sách (nếu có)."), example=""),
    Column("title", gettext_noop("Tên sáng kiến"), required=True, max_length=300, width=36,
           note=_("Tối đa 300 ký tự."), example=gettext_noop("Cải tiến gá kẹp giúp may cổ áo nhanh hơn")),
    Column("description", gettext_noop("Mô tả sáng kiến"), required=True, max_length=100_000, width=40,
           note=_("Nội dung giải pháp; có thể dán từ Word (giữ các đoạn). Tối đa khoảng 100.000 ký tự."),
           example=gettext_noop("Thiết kế gá kẹp bằng nhôm giữ cổ áo cố định khi may.")),
    Column("effect_summary", gettext_noop("Tóm tắt hiệu quả"), max_length=2000, width=30,
           note=_("Hiệu quả đạt được. Tối đa 2.000 ký tự."), example=gettext_noop("Tăng năng suất 15 %.")),
    Column("benefit_vnd", gettext_noop("Giá trị làm lợi (đồng/năm)"), max_length=40, width=18, text_format=True,
           note=_("Ước tính cho 01 năm, bằng đồng: 1.500.000 hoặc 1,5 triệu hoặc 1500000 đ."),
           example=gettext_noop("1,5 triệu")),
    Column("recognition_form", gettext_noop("Hình thức công nhận"), width=26,
           note=_("Chọn trong danh sách; để trống nếu chưa được công nhận."), example=""),
    Column("recognised_by", gettext_noop("Cấp công nhận"), max_length=255, width=22,
           note=_("Bắt buộc khi có hình thức công nhận: cấp có thẩm quyền đã công nhận."), example=""),
    Column("recognised_on", gettext_noop("Ngày công nhận"), width=14, text_format=True,
           note=_("Ngày theo dạng dd/mm/yyyy."), example=""),
    Column("applied_from", gettext_noop("Áp dụng từ ngày"), width=14, text_format=True,
           note=_("Ngày theo dạng dd/mm/yyyy; hiệu quả phải nằm trong khoảng thời gian của chương trình."),
           example="01/02/2021"),
    Column("applied_to", gettext_noop("Áp dụng đến ngày"), width=14, text_format=True,
           note=_("Ngày theo dạng dd/mm/yyyy; sau ngày bắt đầu áp dụng."), example=""),
    Column("is_trade_secret", gettext_noop("Bí mật kinh doanh"), width=12,
           note=_("Có: chỉ công bố tên, tóm tắt hiệu quả và giải thưởng. Để trống là Không."),
           example=gettext_noop("Không")),
)

BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_HEADERS = ("author_full_name", "title")

#: Columns the result workbook adds in front; ignored when a result file is re-uploaded.
ERROR_HEADER = gettext_noop("Lỗi cần sửa")
CODE_HEADER = gettext_noop("Mã theo dõi")
IGNORED_KEYS = ("errors", "tracking_code")


def in_every_language(msgid: object) -> set[str]:
    """``msgid`` (a Vietnamese msgid, or a lazy label) in each language of the site.

    A template downloaded in English may be uploaded by someone reading the
    site in Vietnamese, and the other way round: the reader accepts both.
    """
    texts = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(gettext(msgid) if isinstance(msgid, str) else str(msgid))
    return texts


def header_aliases() -> dict[str, str]:
    """Folded header text → column key (Vietnamese, its translation in every language, key)."""
    aliases: dict[str, str] = {}
    pairs = [(c.key, c.header) for c in COLUMNS] + [("errors", ERROR_HEADER), ("tracking_code", CODE_HEADER)]
    for key, header in pairs:
        for text in (header, *in_every_language(header), key):
            aliases[fold_header(text)] = key
    return aliases


def fold_header(text: object) -> str:
    """Normalise a header cell: accents, case, ``*`` and extra spaces ignored."""
    return " ".join(fold("" if text is None else str(text)).replace("*", " ").split())

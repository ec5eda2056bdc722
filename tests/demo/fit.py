"""Does a generated initiative fit its unit?  The kind of a workplace is read
from its name, as a reader would (issue 8 item 13)."""

from __future__ import annotations

from sangkien.initiatives.models import SectorBlock

#: Words of a workplace's name → its kind; the first that matches wins.
KINDS = [("Công ty", "company"), ("UBND", "office"), ("Bệnh viện", "hospital"), ("Y tế", "hospital"),
         ("Thủy lợi", "agri"), ("Thủy nông", "agri"), ("Khuyến nông", "agri"), ("Kiểm lâm", "agri"),
         ("Trồng trọt", "agri"), ("Trường", "school")]
#: Kind → (sector block, fields its initiatives may be in).
FITS = {
    "company": (SectorBlock.ENTERPRISE, {"san-xuat", "an-toan", "quan-ly", "cntt"}),
    "school": (SectorBlock.PUBLIC, {"giao-duc", "cntt", "quan-ly"}),
    "hospital": (SectorBlock.PUBLIC, {"y-te", "quan-ly", "cntt"}),
    "agri": (SectorBlock.PUBLIC, {"nong-nghiep", "quan-ly", "khac"}),
    "office": (SectorBlock.PUBLIC, {"quan-ly", "cntt", "khac", "nong-nghiep"}),
}
#: Words that belong to one kind's work only.
FOREIGN_WORDS = {"học sinh": "school", "dạy học": "school", "bài giảng": "school", "người bệnh": "hospital",
                 "khám bệnh": "hospital", "bệnh án": "hospital", "dây chuyền": "company",
                 "thay khuôn": "company", "lò sấy": "company"}


def kind_of(workplace: str) -> str:
    for words, kind in KINDS:
        if words in workplace:
            return kind
    return "office"


def misfits(initiatives) -> list[str]:
    """One line per initiative whose sector, field or title does not fit its workplace's kind."""
    out = []
    rows = initiatives.select_related("unit", "field").only(
        "title", "sector_block", "unit_unlisted", "unit_unlisted_name", "unit__name", "field__code")
    for initiative in rows.iterator(chunk_size=2000):
        workplace = initiative.unit_unlisted_name if initiative.unit_unlisted else initiative.unit.name
        kind = kind_of(workplace)
        sector, fields = FITS[kind]
        wrong_words = [w for w, k in FOREIGN_WORDS.items() if k != kind and w in initiative.title.lower()]
        if initiative.sector_block != sector or initiative.field.code not in fields or wrong_words:
            out.append(f"{workplace} ({kind}): {initiative.sector_block}, {initiative.field.code}, "
                       f"{initiative.title}")
    return out


def assert_texts_fit_units(initiatives) -> None:
    """Every initiative's sector block, field and title fit the kind of its workplace."""
    assert initiatives.exists()
    bad = misfits(initiatives)
    assert not bad, f"{len(bad)} misfits, e.g. " + "; ".join(bad[:5])


__all__ = ["assert_texts_fit_units", "kind_of", "misfits"]

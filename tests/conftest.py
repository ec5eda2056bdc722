"""Fixtures shared by every test: a small union tree and a programme."""

from __future__ import annotations

import pytest

from sangkien.units.models import UnitKind
from tests.factories import PhaseFactory, ProgrammeFactory, make_unit


@pytest.fixture
def tree(db):
    """TLĐ → two provinces → a district each → two grassroots unions each.

    Returns a dict of units by short name: ``root``, ``p1``, ``p2``, ``d1``,
    ``d2``, ``g11``, ``g12``, ``g21``, ``g22``.
    """
    root = make_unit(code="TLD", name="Tổng Liên đoàn Lao động Việt Nam", kind=UnitKind.NATIONAL)
    p1 = make_unit(root, code="37", name="LĐLĐ tỉnh Ninh Bình", kind=UnitKind.PROVINCIAL_FEDERATION)
    p2 = make_unit(root, code="24", name="LĐLĐ tỉnh Bắc Giang", kind=UnitKind.PROVINCIAL_FEDERATION)
    d1 = make_unit(p1, code="375", name="LĐLĐ huyện Yên Khánh", kind=UnitKind.DISTRICT_FEDERATION)
    d2 = make_unit(p2, code="213", name="LĐLĐ huyện Yên Thế", kind=UnitKind.DISTRICT_FEDERATION)
    g11 = make_unit(d1, code="375-0001", name="CĐCS Trường THCS Khánh Hội", member_count=40)
    g12 = make_unit(d1, code="375-0002", name="CĐCS Công ty May Yên Khánh", member_count=900)
    g21 = make_unit(d2, code="213-0001", name="CĐCS Trường Tiểu học Bố Hạ", member_count=30)
    g22 = make_unit(d2, code="213-0002", name="CĐCS Công ty Giày Yên Thế", member_count=1200)
    units = {"root": root, "p1": p1, "p2": p2, "d1": d1, "d2": d2,
             "g11": g11, "g12": g12, "g21": g21, "g22": g22}
    for unit in units.values():
        unit.refresh_from_db()
    return units


@pytest.fixture
def programme(tree):
    return ProgrammeFactory(slug="75-nghin-2021", name="75 nghìn sáng kiến, vượt khó, phát triển",
                            organiser=tree["root"])


@pytest.fixture
def phase(programme):
    """Window 10/3/2021 00:00 – 21/4/2021 00:00 local ("24h ngày 20/4/2021")."""
    return PhaseFactory(programme=programme, number=1)

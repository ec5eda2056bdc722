"""A member with an initiative and an attachment in CĐCS 375-0001; officers around it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from sangkien.initiatives.models import Attachment
from sangkien.roles.models import Role
from tests.factories import InitiativeFactory, PersonFactory, UserFactory, grant


@pytest.fixture
def people(tree, phase, settings, tmp_path):
    """``member`` (submitted ``initiative`` with ``attachment``), ``reviewer`` on district 375,
    ``support`` (support team on 375-0001), ``admin`` (unit administrator on province 37),
    ``stranger`` (another member with their own initiative), ``other_reviewer`` (reviewer on
    another province)."""
    settings.MEDIA_ROOT = tmp_path
    member = UserFactory(full_name="Nguyễn Thị Hoa", phone="+84912345678", email="hoa@example.vn")
    person = PersonFactory(full_name="Nguyễn Thị Hoa", phone="+84912345678", email="hoa@example.vn", user=member)
    initiative = InitiativeFactory(phase=phase, unit=tree["g11"], title="Sổ tay điện tử", submitted_by=member,
                                   author=person)
    attachment = Attachment.objects.create(initiative=initiative, file=ContentFile(b"%PDF-1.4\n", name="so-tay.pdf"),
                                           original_name="so-tay.pdf", size=9)
    reviewer = UserFactory(full_name="Phạm Thị Duyệt", phone="+84987654321")
    grant(reviewer, tree["d1"], Role.REVIEWER)
    support = UserFactory(full_name="Lê Văn Hỗ Trợ")
    grant(support, tree["g11"], Role.SUPPORT_TEAM)
    admin = UserFactory(full_name="Trần Quản Trị")
    grant(admin, tree["p1"], Role.UNIT_ADMIN)
    stranger = UserFactory(full_name="Đỗ Văn Khác")
    stranger_initiative = InitiativeFactory(phase=phase, unit=tree["g12"], title="Máy cắt vải", submitted_by=stranger,
                                            author=PersonFactory(user=stranger))
    other_reviewer = UserFactory(full_name="Vũ Bắc Giang")
    grant(other_reviewer, tree["p2"], Role.REVIEWER)
    return {"member": member, "initiative": initiative, "attachment": attachment, "reviewer": reviewer,
            "support": support, "admin": admin, "stranger": stranger, "stranger_initiative": stranger_initiative,
            "other_reviewer": other_reviewer, "tree": tree, "phase": phase}

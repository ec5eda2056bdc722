"""Every path that writes an initiative's text keeps the duplicate index in step (issue 8 item 3).

The services (form, proxy entry, resubmission) are covered in test_submit.py,
the import in tests/imports, the scenarios in tests/demo and tests/national;
here: the admin, which must not write initiatives at all.
"""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_can_neither_add_nor_edit_an_initiative(client, original):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/quan-tri-he-thong/initiatives/initiative/add/").status_code == 403
    change = client.get(f"/quan-tri-he-thong/initiatives/initiative/{original.pk}/change/")
    assert change.status_code == 200 and 'name="title"' not in change.content.decode()
    assert client.post(f"/quan-tri-he-thong/initiatives/initiative/{original.pk}/change/",
                       {"title": "Sửa trong admin"}).status_code == 403
    original.refresh_from_db()
    assert original.title != "Sửa trong admin"

"""Members register with a phone number or an e-mail; consent is recorded."""

import pytest
from django.urls import reverse

from sangkien.accounts.consent import has_consent
from sangkien.accounts.models import ConsentVersion, PurposeConsent, User
from sangkien.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def signup(client, **fields):
    data = {"full_name": "Lê Văn Tám", "password1": "mot-mat-khau-dai", "password2": "mot-mat-khau-dai",
            "consent": "on", "phone": "", "email": ""}
    data.update(fields)
    return client.post(reverse("account_signup"), data)


def test_signup_with_a_phone_number_records_consent_and_signs_in(client):
    response = signup(client, phone="0978.892.973")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.phone == "+84978892973" and user.full_name == "Lê Văn Tám"
    record = PurposeConsent.objects.get(user=user)
    assert record.purpose == "participation" and record.granted and record.source == "signup"
    assert record.version == ConsentVersion.current() and record.at is not None
    assert has_consent(user, "participation")
    assert not has_consent(user, "showcase") and not has_consent(user, "notifications")
    client.logout()
    login = client.post(reverse("account_login"), {"login": "0978 892 973", "password": "mot-mat-khau-dai"})
    assert login.status_code == 302


def test_signup_offers_the_optional_purposes_off_by_default(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="showcase"' in page and 'name="notifications"' in page
    assert 'name="showcase" checked' not in page
    signup(client, phone="0978892973", showcase="on")
    user = User.objects.get()
    assert has_consent(user, "showcase") and not has_consent(user, "notifications")
    assert set(PurposeConsent.objects.filter(user=user).values_list("purpose", flat=True)) == {
        "participation", "showcase"}


def test_every_consent_given_at_signup_is_an_audited_decision(client):
    """Issue 10: consent is written by ``accounts.services.set_consents``, one audit row per decision."""
    signup(client, phone="0978892973", showcase="on")
    user = User.objects.get()
    audited = AuditEntry.objects.filter(object_id=str(user.pk), action="consent.granted")
    assert sorted((e.actor_id, e.data["purpose"], e.data["source"]) for e in audited) == [
        (user.pk, "participation", "signup"), (user.pk, "showcase", "signup")]
    assert audited.count() == PurposeConsent.objects.filter(user=user).count()


def test_signup_with_an_email(client):
    signup(client, email="tam@example.vn")
    user = User.objects.get()
    assert user.email == "tam@example.vn" and user.phone is None
    client.logout()
    assert client.post(reverse("account_login"), {"login": "tam@example.vn",
                                                  "password": "mot-mat-khau-dai"}).status_code == 302


def test_signup_without_consent_is_refused_and_keeps_the_input(client):
    response = signup(client, phone="0978892973", consent="")
    assert User.objects.count() == 0
    html = response.content.decode()
    assert "Bạn cần đồng ý" in html and "Lê Văn Tám" in html


def test_signup_needs_a_phone_or_an_email(client):
    response = signup(client)
    assert User.objects.count() == 0
    assert "Nhập số điện thoại hoặc e-mail" in response.content.decode()


def test_same_phone_cannot_register_twice(client):
    signup(client, phone="0978892973")
    client.logout()
    signup(client, phone="+84 978 892 973", full_name="Người khác")
    assert User.objects.count() == 1


def test_pages_are_vietnamese_by_default_even_for_an_english_browser(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html and "Tra cứu" in html
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/").content.decode()

"""Phones are verified by a code texted after sign-up; only then do they count as proof."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sangkien.accounts import services
from sangkien.accounts.models import User
from sangkien.accounts.sms import read_messages
from sangkien.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PHONE = "+84978892973"
NEXT = "/chuong-trinh/75-nghin-2021/gui-sang-kien/?don-vi=375-0001"


def signup(client, next_url=None, **fields):
    data = {"full_name": "Lê Văn Tám", "password1": "mot-mat-khau-dai", "password2": "mot-mat-khau-dai",
            "consent": "on", "phone": "", "email": ""}
    data.update(fields)
    url = reverse("account_signup") + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def texted_code(phone=PHONE):
    texts = read_messages(to=phone)
    assert texts, "no SMS sent"
    return re.search(r"\b(\d{6})\b", texts[-1]["text"]).group(1)


def test_signup_by_phone_texts_a_code_and_asks_for_it_keeping_next(client):
    response = signup(client, next_url=NEXT, phone="0978 892 973")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts_verify_phone")
    assert parse_qs(location.query)["next"] == [NEXT]
    user = User.objects.get()
    assert not user.is_phone_verified and user.phone_verified_at is None
    assert len(read_messages(to=PHONE)) == 1
    # The account works at once: the member is signed in.
    assert int(client.session["_auth_user_id"]) == user.pk
    page = client.get(response["Location"]).content.decode()
    assert "Chúng tôi đã gửi mã gồm 6 chữ số đến số" in page and PHONE in page
    assert f'href="{NEXT}"' in page.replace("&amp;", "&")  # "Để sau" leads on


def test_the_right_code_verifies_the_phone_and_goes_on(client):
    signup(client, next_url=NEXT, phone="0978892973")
    response = client.post(reverse("accounts_verify_phone"), {"code": texted_code(), "next": NEXT})
    assert response.status_code == 302 and response["Location"] == NEXT
    user = User.objects.get()
    assert user.is_phone_verified
    assert AuditEntry.objects.filter(action="user.phone_verified", object_id=str(user.pk)).exists()


def test_a_wrong_code_is_refused_with_a_translated_message(client):
    signup(client, phone="0978892973")
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("accounts_verify_phone"), {"code": wrong})
    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert not User.objects.get().is_phone_verified


def test_too_many_wrong_codes_end_the_attempt(client):
    signup(client, phone="0978892973")
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(4):
        assert client.post(reverse("accounts_verify_phone"), {"code": wrong}).status_code == 200
    response = client.post(reverse("accounts_verify_phone"), {"code": wrong}, follow=True)
    assert "sai quá số lần" in response.content.decode()
    # The old code no longer works; a new one must be asked for.
    client.post(reverse("accounts_verify_phone"), {"code": code})
    assert not User.objects.get().is_phone_verified


@pytest.mark.parametrize("code", ["", " ", "x" * 5000, "١٢٣٤٥٦", "<script>", "12 34 56\x00"])
def test_malformed_codes_never_give_a_500(client, code):
    signup(client, phone="0978892973")
    response = client.post(reverse("accounts_verify_phone"), {"code": code})
    assert response.status_code == 200
    assert not User.objects.get().is_phone_verified


def test_an_outside_next_is_ignored(client):
    signup(client, phone="0978892973")
    response = client.post(reverse("accounts_verify_phone"),
                           {"code": texted_code(), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_signup_by_email_texts_nothing(client):
    response = signup(client, email="tam@example.vn")
    assert response["Location"] != reverse("accounts_verify_phone")
    assert read_messages() == []


def test_a_member_can_ask_for_a_new_code_later_until_the_limit(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"send_sms": "3/10m/key,20/1h/ip", "verify_phone": "100/1s/key"}
    signup(client, phone="0978892973")
    url = reverse("accounts_verify_phone")
    assert client.post(url, {"action": "send"}).status_code == 302
    assert client.post(url, {"action": "send"}).status_code == 302
    assert len(read_messages(to=PHONE)) == 3
    response = client.post(url, {"action": "send"})
    assert response.status_code == 429
    assert "Bạn đã yêu cầu quá nhiều lần" in response.content.decode()
    assert len(read_messages(to=PHONE)) == 3
    # The last code sent still works.
    client.post(url, {"code": texted_code()})
    assert User.objects.get().is_phone_verified


def test_signing_up_again_with_a_taken_phone_never_gives_a_500(client):
    signup(client, phone="0978892973")
    client.logout()
    cache.clear()  # half a minute later: allauth allows one code per number per 30 s
    response = signup(client, phone="+84 978 892 973", full_name="Người khác")
    assert User.objects.count() == 1
    follow = client.get(response["Location"])
    assert follow.status_code == 200
    assert "Xác minh số điện thoại" in follow.content.decode()
    # The owner is told by SMS; the person signing up learns nothing more.
    assert "da co tai khoan" in read_messages(to=PHONE)[-1]["text"]
    # The same browser is sent back to the code page; another one is told to wait.
    again = signup(client, phone="0978892973", full_name="Người khác")
    assert client.get(again["Location"]).status_code == 200
    other = signup(Client(), phone="0978892973", full_name="Người khác")
    assert other.status_code == 429
    assert "Bạn đã yêu cầu quá nhiều lần" in other.content.decode()


def test_changing_the_phone_drops_the_verification(client):
    signup(client, phone="0978892973")
    client.post(reverse("accounts_verify_phone"), {"code": texted_code()})
    user = User.objects.get()
    assert user.is_phone_verified
    services.set_phone(user=user, phone="0912 345 678", verified=False)
    user.refresh_from_db()
    assert user.phone == "+84912345678" and not user.is_phone_verified


def test_an_unverified_phone_does_not_block_signing_in(client):
    signup(client, phone="0978892973")
    client.logout()
    response = client.post(reverse("account_login"), {"login": "0978892973", "password": "mot-mat-khau-dai"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_allauths_change_phone_page_stores_the_new_number_verified(client):
    signup(client, phone="0978892973")
    client.post(reverse("accounts_verify_phone"), {"code": texted_code()})
    cache.clear()
    response = client.post(reverse("account_change_phone"), {"phone": "0912 345 678"})
    assert response.status_code == 302
    client.post(reverse("account_verify_phone"), {"code": texted_code("+84912345678")})
    user = User.objects.get()
    assert user.phone == "+84912345678" and user.is_phone_verified


def test_the_code_page_after_a_taken_phone_survives_any_input_and_ends_in_vietnamese(client):
    signup(client, phone="0978892973")
    client.logout()
    cache.clear()
    signup(client, phone="0978892973", full_name="Người khác")
    url = reverse("account_verify_phone")
    for code in ("", "x" * 5000, "<b>", "000000"):
        response = client.post(url, {"code": code, "action": "verify"})
        assert response.status_code == 200, code
        assert "Mã không đúng" in response.content.decode() or 'class="error"' in response.content.decode()
    response = client.post(url, {"code": "111111", "action": "verify"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bạn đã thử quá nhiều lần" in html
    assert User.objects.count() == 1


def test_five_colleagues_behind_one_wifi_all_get_their_code(client):
    for index in range(5):
        member = Client()
        response = signup(member, phone=f"091234560{index}", full_name=f"Công nhân {index}")
        assert urlsplit(response["Location"]).path == reverse("accounts_verify_phone")
        assert len(read_messages(to=f"+8491234560{index}")) == 1

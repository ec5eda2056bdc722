"""“Quên mật khẩu?” by a code texted to the phone; the same answer for any number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from sangkien.accounts.models import User
from sangkien.accounts.sms import read_messages
from sangkien.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+84978892973"
NEW_PASSWORD = "mat-khau-moi-rat-dai"


@pytest.fixture
def member():
    return UserFactory(phone=PHONE, full_name="Lê Văn Tám", email="")


def texted_code(phone=PHONE):
    return re.search(r"\b(\d{6})\b", read_messages(to=phone)[-1]["text"]).group(1)


def ask(client, login):
    return client.post(reverse("account_reset_password"), {"login": login})


def test_the_page_is_vietnamese_and_asks_for_a_phone(client):
    html = client.get(reverse("account_reset_password")).content.decode()
    assert "Quên mật khẩu?" in html and "Số điện thoại hoặc e-mail" in html
    assert "Password Reset" not in html


def test_the_login_page_links_to_it(client):
    html = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("account_reset_password")}"' in html


def test_code_then_new_password_signs_the_member_in(client, member):
    response = ask(client, "0978 892 973")
    assert response.status_code == 302 and response["Location"] == reverse("accounts_reset_password_code")
    assert "ma dat lai mat khau" in read_messages(to=PHONE)[0]["text"]
    response = client.post(reverse("accounts_reset_password_code"), {"code": texted_code()})
    assert response["Location"] == reverse("accounts_reset_password_set")
    response = client.post(reverse("accounts_reset_password_set"),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert member.is_phone_verified  # typing the code proved the phone
    assert AuditEntry.objects.filter(action="user.password_reset_by_sms", object_id=str(member.pk)).exists()
    # The steps are over: the code cannot be used again.
    assert client.get(reverse("accounts_reset_password_set"))["Location"] == reverse("account_reset_password")
    client.logout()
    assert client.post(reverse("account_login"),
                       {"login": "0978892973", "password": NEW_PASSWORD}).status_code == 302


def test_an_unknown_number_gets_the_same_answer_and_no_text(client, member):
    known = ask(client, "0978892973")
    client.session.flush()
    unknown = ask(client, "0912 345 678")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    page = client.get(unknown["Location"]).content.decode()
    assert "Nếu số <strong>+84912345678</strong> có tài khoản" in page
    assert read_messages(to="+84912345678") == []
    for code in ("000000", "123456"):
        response = client.post(reverse("accounts_reset_password_code"), {"code": code})
        assert "Mã không đúng" in response.content.decode()
    assert client.get(reverse("accounts_reset_password_set"))["Location"] == reverse(
        "account_reset_password")


def test_new_password_step_needs_the_code_first(client, member):
    ask(client, "0978892973")
    response = client.get(reverse("accounts_reset_password_set"))
    assert response["Location"] == reverse("account_reset_password")
    member.refresh_from_db()
    assert not member.check_password(NEW_PASSWORD)


def test_a_weak_new_password_is_refused_in_vietnamese(client, member):
    ask(client, "0978892973")
    client.post(reverse("accounts_reset_password_code"), {"code": texted_code()})
    response = client.post(reverse("accounts_reset_password_set"), {"password1": "123", "password2": "123"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in html and "too short" not in html
    response = client.post(reverse("accounts_reset_password_set"),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "Hai lần nhập mật khẩu phải giống nhau." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("login", ["abc", "0978", "+1 202 555 0100", "x" * 300, "a@", "\x00", "٠٩٧٨٨٩٢٩٧٣"])
def test_bad_input_is_refused_with_the_text_kept(client, login):
    response = ask(client, login)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html
    assert read_messages() == []


def test_empty_input_is_refused(client):
    response = ask(client, "")
    assert response.status_code == 200 and 'class="error"' in response.content.decode()


@pytest.mark.parametrize("code", ["", "x" * 5000, "<b>", "12 34 56\x00"])
def test_malformed_codes_never_give_a_500(client, member, code):
    ask(client, "0978892973")
    assert client.post(reverse("accounts_reset_password_code"), {"code": code}).status_code == 200


def test_too_many_wrong_codes_start_over(client, member):
    ask(client, "0978892973")
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(4):
        client.post(reverse("accounts_reset_password_code"), {"code": wrong})
    response = client.post(reverse("accounts_reset_password_code"), {"code": wrong})
    assert response["Location"] == reverse("account_reset_password")
    assert client.post(reverse("accounts_reset_password_code"), {"code": code})["Location"] == reverse(
        "account_reset_password")


def test_a_code_expires_after_fifteen_minutes(client, member):
    ask(client, "0978892973")
    with time_machine.travel(dt.timedelta(minutes=16)):
        response = client.post(reverse("accounts_reset_password_code"), {"code": texted_code()})
    assert response["Location"] == reverse("account_reset_password")


def test_three_codes_per_number_then_a_friendly_429(client, member):
    for _request in range(3):
        assert ask(client, "0978892973").status_code == 302
    response = ask(client, "0978 892 973")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Bạn đã yêu cầu quá nhiều lần" in html and 'value="0978 892 973"' in html
    assert len(read_messages(to=PHONE)) == 3


def test_unknown_numbers_count_against_the_same_limit(client):
    for _request in range(3):
        assert ask(client, "0912345678").status_code == 302
    assert ask(client, "0912345678").status_code == 429


def test_limit_per_ip_across_numbers(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"send_sms": "3/10m/key,5/1h/ip"}
    for index in range(5):
        assert ask(client, f"091234560{index}").status_code == 302
    assert ask(client, "0912345699").status_code == 429


def test_an_sms_provider_failure_is_a_message_not_a_500(client, member, settings):
    settings.SANGKIEN_SMS_BACKEND = "sangkien.accounts.sms.HttpGatewayBackend"
    settings.SANGKIEN_SMS_GATEWAY_URL = "http://127.0.0.1:9/"  # discard port: nothing listens
    settings.SANGKIEN_SMS_TIMEOUT = 1
    response = ask(client, "0978892973")
    assert response.status_code == 503
    assert "Chưa gửi được tin nhắn" in response.content.decode()


def test_an_email_gets_allauths_reset_mail(client):
    UserFactory(email="tam@example.vn")
    response = ask(client, "Tam@Example.vn")
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tam@example.vn"]
    assert "Kiểm tra hộp thư" in client.get(response["Location"]).content.decode()


def test_english_when_chosen(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("account_reset_password")).content.decode()
    assert 'lang="en"' in html


def test_an_inactive_account_gets_no_code(client):
    UserFactory(phone=PHONE, is_active=False)
    assert ask(client, "0978892973").status_code == 302
    assert read_messages(to=PHONE) == []
    assert User.objects.get(phone=PHONE).is_active is False

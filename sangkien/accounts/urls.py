"""Account pages of our own, mounted under ``tai-khoan/`` before allauth's.

``password/reset/`` takes the place of allauth's e-mail-only page (same
path, so allauth's "Quên mật khẩu?" link leads here).
"""

from django.urls import path

from sangkien.accounts import views

urlpatterns = [
    path("password/reset/", views.reset_password, name="account_reset_password"),
    path("password/reset/sms/code/", views.reset_password_code, name="accounts_reset_password_code"),
    path("password/reset/sms/new/", views.reset_password_set, name="accounts_reset_password_set"),
    path("phone/confirm/", views.verify_phone, name="accounts_verify_phone"),
]

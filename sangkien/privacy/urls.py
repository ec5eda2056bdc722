"""The person's own pages, mounted under ``tai-khoan/`` (sangkien/urls.py).

``account_urlpatterns`` keep the names the account pages have always had
(``accounts_my_data``, …, no namespace); ``urlpatterns`` is the ``privacy``
namespace.
"""

from django.urls import path

from sangkien.privacy import views

app_name = "privacy"

urlpatterns = [
    path("nhat-ky-truy-cap/", views.access_log, name="access_log"),
]

account_urlpatterns = [
    path("du-lieu/", views.my_data, name="accounts_my_data"),
    path("du-lieu/tai-ve/<str:fmt>/", views.download_my_data, name="accounts_my_data_download"),
    path("du-lieu/xoa-tai-khoan/", views.delete_account, name="accounts_delete"),
    path("xac-nhan-tac-gia/", views.claim, name="accounts_claim"),
]

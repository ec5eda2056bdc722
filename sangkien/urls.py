"""URL map: public pages, member pages, officer pages, accounts, admin."""

from django.contrib import admin
from django.urls import include, path

from sangkien.core import views as core_views
from sangkien.privacy.urls import account_urlpatterns as privacy_account_urls
from sangkien.programmes import views as programme_views
from sangkien.reports import views as report_views
from sangkien.units import urls as unit_urls

urlpatterns = [
    path("favicon.ico", core_views.favicon),
    path("tai-khoan/", include("sangkien.accounts.urls")),
    path("tai-khoan/", include(privacy_account_urls)),  # "Dữ liệu của tôi", … (names accounts_*)
    path("tai-khoan/", include("sangkien.privacy.urls")),
    path("tai-khoan/", include("allauth.urls")),
    path("quan-tri-he-thong/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # units:link lists the open programmes, so its view lives in programmes (above units).
    path("", include(([path("dv/<str:code>/", programme_views.unit_link, name="link"), *unit_urls.urlpatterns],
                      unit_urls.app_name))),
    path("", include("sangkien.initiatives.urls")),
    path("", include("sangkien.review.urls")),
    path("", include("sangkien.reports.urls")),
    path("", include("sangkien.programmes.urls")),
    path("", include("sangkien.roles.urls")),
    path("", include("sangkien.duplicates.urls")),
    path("", include("sangkien.imports.urls")),
    path("", report_views.home, name="home"),
]

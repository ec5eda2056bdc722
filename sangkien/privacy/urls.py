from django.urls import path

from sangkien.privacy import views

app_name = "privacy"

urlpatterns = [
    path("nhat-ky-truy-cap/", views.access_log, name="access_log"),
]

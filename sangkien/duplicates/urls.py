"""URLs of duplicate detection (included at the root, ``app_name = "duplicates"``)."""

from django.urls import path

from sangkien.duplicates import views

app_name = "duplicates"

urlpatterns = [
    path("chuong-trinh/<slug:slug>/sang-kien-tuong-tu/", views.submit_panel, name="submit_panel"),
    path("can-bo/sang-kien/<str:code>/tuong-tu/", views.matches, name="matches"),
    path("can-bo/sang-kien/<str:code>/danh-dau-trung/", views.mark, name="mark"),
    path("can-bo/sang-kien/<str:code>/bo-danh-dau-trung/", views.unmark, name="unmark"),
    path("can-bo/trung-lap/<slug:slug>/", views.report, name="report"),
]

from django.urls import path

from sangkien.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("thong-ke/<slug:slug>/", views.programme_dashboard, name="programme"),
    path("thong-ke/<slug:slug>/<str:code>/", views.dashboard, name="dashboard"),
    path("can-bo/tep-xuat/<int:pk>/", views.export_record, name="export_record"),
    path("can-bo/tep-xuat/<int:pk>/tai/", views.export_file, name="export_file"),
    path("can-bo/xuat/<slug:slug>/<str:code>/", views.export, name="export"),
]

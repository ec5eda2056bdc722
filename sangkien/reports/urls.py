from django.urls import path

from sangkien.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("thong-ke/<slug:slug>/", views.programme_dashboard, name="programme"),
    path("thong-ke/<slug:slug>/<str:code>/", views.dashboard, name="dashboard"),
]

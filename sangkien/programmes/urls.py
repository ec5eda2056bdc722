from django.urls import path

from sangkien.programmes import views

app_name = "programmes"

urlpatterns = [
    path("can-bo/don-vi/<str:code>/chi-tieu/<slug:slug>/", views.targets, name="targets"),
]

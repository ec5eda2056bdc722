from django.urls import path

from sangkien.units import views

app_name = "units"

urlpatterns = [
    path("dv/<str:code>/", views.link, name="link"),
    path("dv/<str:code>/qr.svg", views.qr, name="qr"),
    path("can-bo/don-vi/<str:code>/poster/", views.poster, name="poster"),
]

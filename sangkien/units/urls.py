from django.urls import path

from sangkien.units import views

app_name = "units"

# ``units:link`` (``dv/<code>/``) is added by sangkien/urls.py: its view,
# programmes.views.unit_link, lists programmes, which sit above units.

urlpatterns = [
    path("dv/<str:code>/qr.svg", views.qr, name="qr"),
    path("can-bo/don-vi/<str:code>/poster/", views.poster, name="poster"),
    path("can-bo/don-vi/<str:code>/sap-xep/", views.reorganise, name="reorganise"),
    path("can-bo/don-vi/<str:code>/sap-xep/<int:pk>/", views.reorganise_plan, name="reorganise_plan"),
]

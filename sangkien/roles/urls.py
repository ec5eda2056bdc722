from django.urls import path

from sangkien.roles import views

app_name = "roles"

urlpatterns = [
    path("can-bo/don-vi/<str:code>/phan-quyen/", views.manage, name="manage"),
]

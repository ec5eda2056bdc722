from django.urls import path

from sangkien.imports import views

app_name = "imports"

urlpatterns = [
    path("can-bo/don-vi/<str:code>/nhap-excel/<slug:slug>/", views.upload, name="upload"),
    path("can-bo/don-vi/<str:code>/nhap-excel/<slug:slug>/mau.xlsx", views.template, name="template"),
    path("can-bo/nhap-excel/<int:pk>/", views.job_detail, name="job"),
    path("can-bo/nhap-excel/<int:pk>/tien-do/", views.job_progress, name="job_progress"),
    path("can-bo/nhap-excel/<int:pk>/tep-ket-qua/", views.job_file, name="job_file"),
    path("can-bo/don-vi/<str:code>/nhat-ky-nhap-xuat/", views.log, name="log"),
]

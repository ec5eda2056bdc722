from django.urls import path

from sangkien.initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("chuong-trinh/<slug:slug>/gui-sang-kien/", views.submit, name="submit"),
    path("don-vi/chon/", views.unit_levels, name="unit_levels"),
    path("sang-kien/cua-toi/", views.mine, name="mine"),
    path("theo-doi/", views.track, name="track"),
    path("sang-kien/<str:code>/", views.detail, name="detail"),
    path("sang-kien/<str:code>/sua/", views.edit_returned, name="edit"),
    path("sang-kien/<str:code>/tep/<int:pk>/", views.attachment, name="attachment"),
]

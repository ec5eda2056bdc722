from django.urls import path

from sangkien.initiatives import hold_views, officer_views, views

app_name = "initiatives"

urlpatterns = [
    path("chuong-trinh/<slug:slug>/gui-sang-kien/", views.submit, name="submit"),
    path("don-vi/chon/", views.unit_levels, name="unit_levels"),
    path("sang-kien/cua-toi/", views.mine, name="mine"),
    path("theo-doi/", views.track, name="track"),
    path("sang-kien/<str:code>/", views.detail, name="detail"),
    path("sang-kien/<str:code>/sua/", views.edit_returned, name="edit"),
    path("sang-kien/<str:code>/tep/<int:pk>/", views.attachment, name="attachment"),
    path("can-bo/", officer_views.home, name="officer_home"),
    path("can-bo/xet-duyet/<slug:slug>/", officer_views.queue, name="queue"),
    path("can-bo/xet-duyet/<slug:slug>/hang-loat/", officer_views.bulk_review, name="bulk_review"),
    path("can-bo/sang-kien/<str:code>/xet-duyet/", officer_views.review, name="review"),
    path("can-bo/sang-kien/<str:code>/xac-nhan-giu/", hold_views.release, name="release_hold"),
    path("can-bo/don-vi/<str:code>/nhap-ho/<slug:slug>/", officer_views.enter_on_behalf, name="enter"),
]

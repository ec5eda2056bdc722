from django.urls import path

from sangkien.review import hold_views, views

app_name = "review"

urlpatterns = [
    path("can-bo/", views.home, name="home"),
    path("can-bo/xet-duyet/<slug:slug>/", views.queue, name="queue"),
    path("can-bo/xet-duyet/<slug:slug>/hang-loat/", views.bulk_review, name="bulk_review"),
    path("can-bo/sang-kien/<str:code>/xet-duyet/", views.review, name="review"),
    path("can-bo/sang-kien/<str:code>/xac-nhan-giu/", hold_views.release, name="release_hold"),
    path("can-bo/don-vi/<str:code>/nhap-ho/<slug:slug>/", views.enter_on_behalf, name="enter"),
]

"""The product's URLs plus ``/bare/`` (benchmark settings only)."""

from django.urls import path

from benchmarks.bare import views
from sangkien import urls as product_urls

urlpatterns = [path("bare/", views.note, name="bare_note"), *product_urls.urlpatterns]

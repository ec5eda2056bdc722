"""The product's URLs plus ``/bare/`` and ``/bare/panel/`` (benchmark settings only)."""

from django.urls import path

from benchmarks.bare import views
from sangkien import urls as product_urls

urlpatterns = [path("bare/", views.note, name="bare_note"), path("bare/panel/", views.panel, name="bare_panel"),
               *product_urls.urlpatterns]

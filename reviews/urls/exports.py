"""URLs of exports (see reviews/urls/__init__.py)."""

from django.urls import path

from reviews.views import exports

urlpatterns = [
    path("", exports.export_list, name="export_list"),
    path("nouveau/", exports.export_create, name="export_create"),
    path("<int:pk>/", exports.export_detail, name="export_detail"),
    path("<int:pk>/etat/", exports.export_status, name="export_status"),
    path("<int:pk>/telecharger/", exports.export_download, name="export_download"),
]

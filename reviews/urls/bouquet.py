"""URLs of the bouquet de services: the staff's (under /instruction/bouquet/, see reviews/urls/__init__.py) and the
porteurs' page of a dossier (/dossiers/<reference>/bouquet/, namespace "bouquet", see ptce_ami/urls.py)."""

from django.urls import path

from reviews.views import bouquet as views

staff_patterns = [
    path("", views.request_list, name="bouquet_requests"),
    path("<int:pk>/", views.request_detail, name="bouquet_request"),
]

porteur_patterns = [
    path("", views.services, name="services"),
]

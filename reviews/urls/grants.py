"""URLs of the grants: the staff's (under /instruction/aides/, see reviews/urls/__init__.py) and the porteurs' report
forms of a dossier (/dossiers/<reference>/aide/, namespace "grants", see ptce_ami/urls.py)."""

from django.urls import path

from reviews.views import grants as views

staff_patterns = [
    path("", views.grant_list, name="grant_list"),
    path("<str:reference>/", views.grant_detail, name="grant"),
    path("<str:reference>/<slug:action>/", views.grant_action, name="grant_action"),
    path("<str:reference>/<slug:action>/<int:pk>/", views.grant_action, name="grant_action"),
]

porteur_patterns = [
    path("rapports/<slug:kind>/", views.report_form, name="report"),
]

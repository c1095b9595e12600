"""URLs of the selection committee, under /instruction/comite/ (see reviews/urls/__init__.py)."""

from django.urls import path

from reviews.views import committee as views

urlpatterns = [
    path("", views.phase_list, name="committee"),
    path("phases/<int:phase_id>/", views.phase_view, name="committee_phase"),
    path("phases/<int:phase_id>/seances/nouvelle/", views.session_create, name="committee_session_create"),
    path("dossiers/<str:reference>/proposition/", views.propose, name="committee_propose"),
    path("propositions/<int:pk>/retirer/", views.withdraw, name="committee_withdraw"),
    path("seances/<int:pk>/", views.session_detail, name="committee_session"),
    path("seances/<int:pk>/adopter/", views.session_adopt, name="committee_adopt"),
    path("seances/<int:pk>/proces-verbal.pdf", views.session_minutes, name="committee_minutes"),
    path("seances/<int:pk>/publication/", views.publish, name="committee_publish"),
    path(
        "seances/<int:pk>/publication/lettres/<int:decision_id>/",
        views.letter_preview,
        name="committee_letter_preview",
    ),
    path("decisions/<int:pk>/rouvrir/", views.reopen, name="committee_reopen"),
]

"""URLs of assignments and conflicts of interest, under /instruction/affectations/ (see reviews/urls/__init__.py)."""

from django.urls import path

from reviews.views import assignments as views

urlpatterns = [
    # Reviewers.
    path("declaration/", views.declaration, name="declaration"),
    path("<int:assignment_id>/confirmer/", views.assignment_confirm, name="assignment_confirm"),
    # Staff.
    path("<int:assignment_id>/retirer/", views.assignment_remove, name="assignment_remove"),
    path("dossier/<str:reference>/", views.dossier_assignments, name="dossier_assignments"),
    path("dossier/<str:reference>/ajouter/", views.dossier_assign, name="dossier_assign"),
    path("evaluateurs/", views.reviewer_list, name="reviewers"),
    path("evaluateurs/<int:user_id>/", views.reviewer_assignments, name="reviewer_assignments"),
    path("lot/", views.assign_batch, name="assign_batch"),
    path("automatique/", views.assign_auto, name="assign_auto"),
]

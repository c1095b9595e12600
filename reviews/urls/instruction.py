"""URLs of instruction (see reviews/urls/__init__.py): the staff list and the staff dossier page."""

from django.urls import path

from reviews.views import instruction as views

urlpatterns = [
    path("", views.dossier_list, name="dossier_list"),
    path("lot/", views.dossier_batch, name="dossier_batch"),
    path("filtres/", views.saved_filter_create, name="saved_filter_create"),
    path("filtres/<int:pk>/supprimer/", views.saved_filter_delete, name="saved_filter_delete"),
    path("colonnes/", views.columns_update, name="columns_update"),
    path("dossiers/<str:reference>/", views.dossier_detail, name="dossier"),
    path("dossiers/<str:reference>/pieces.zip", views.dossier_zip, name="dossier_zip"),
    path("dossiers/<str:reference>/actions/<slug:action>/", views.dossier_action, name="dossier_action"),
    path(
        "dossiers/<str:reference>/eligibilite/<int:result_id>/",
        views.eligibility_override,
        name="eligibility_override",
    ),
    path("dossiers/<str:reference>/annotations/", views.annotation_create, name="annotation_create"),
    path("dossiers/<str:reference>/etiquettes/", views.labels_update, name="labels_update"),
    path("dossiers/<str:reference>/suivi/", views.dossier_follow, name="dossier_follow"),
]

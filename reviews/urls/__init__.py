"""The staff and reviewers' pages, under /instruction/: one module per part, joined here."""

from django.urls import include, path

from reviews.urls import assignments, bouquet, committee, evaluation, exports, grants, instruction

app_name = "reviews"

urlpatterns = [
    path("", include(instruction.urlpatterns)),
    path("exports/", include(exports.urlpatterns)),
    path("affectations/", include(assignments.urlpatterns)),
    path("evaluations/", include(evaluation.urlpatterns)),
    path("bouquet/", include(bouquet.staff_patterns)),
    path("comite/", include(committee.urlpatterns)),
    path("aides/", include(grants.staff_patterns)),
]

"""URLs of evaluation (see reviews/urls/__init__.py): under /instruction/evaluations/."""

from django.urls import path

from reviews.views import evaluation

urlpatterns = [
    path("", evaluation.queue, name="queue"),
    path("<int:assignment_id>/", evaluation.review, name="review"),
    path("avis-regionaux/", evaluation.regional_opinions, name="regional_opinions"),
    path("avis-regionaux/<str:reference>/", evaluation.regional_opinion, name="regional_opinion"),
]

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Floor 4: grids, assignments, conflicts, reviews, regional opinions, committee, decisions, grants."""

    name = "reviews"
    verbose_name = "Évaluation et sélection"

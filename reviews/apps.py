from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Floor 4: grids, assignments, conflicts, reviews, regional opinions, committee, decisions, grants."""

    name = "reviews"
    verbose_name = "Évaluation et sélection"

    def ready(self):
        # The lower floors are told about reviewers through their hooks, never by importing this app.
        from reviews import hooks, rules  # noqa: F401, PLC0415 -- needs the models loaded

        hooks.connect()

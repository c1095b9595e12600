from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Floor 4: evaluation grids, assignments, conflicts of interest, reviews, regional opinions, exports."""

    name = "reviews"
    verbose_name = _("Évaluation et sélection")

    def ready(self):
        # The lower floors are told about reviewers through their hooks, never by importing this app.
        from reviews import hooks, rules  # noqa: F401 -- rules registers permissions

        hooks.connect()

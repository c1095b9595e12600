from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    """Floor 1: the official referential (Code officiel géographique); imports nothing of ours."""

    name = "territories"
    verbose_name = "Territoires"

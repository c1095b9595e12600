from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    """Floor 1: the official referential (Code officiel géographique); imports nothing of ours."""

    name = "territories"
    verbose_name = _("Territoires")

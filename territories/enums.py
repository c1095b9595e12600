from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.TextChoices):
    METRO = "metro", _("France métropolitaine")
    DROM = "drom", _("Département ou région d'outre-mer")
    COM = "com", _("Collectivité d'outre-mer")


class CommuneKind(models.TextChoices):
    CURRENT = "commune-actuelle", _("Commune")
    DELEGATED = "commune-deleguee", _("Commune déléguée")
    ASSOCIATED = "commune-associee", _("Commune associée")
    MUNICIPAL_DISTRICT = "arrondissement-municipal", _("Arrondissement municipal")


class EPCIKind(models.TextChoices):
    CC = "CC", _("Communauté de communes")
    CA = "CA", _("Communauté d'agglomération")
    CU = "CU", _("Communauté urbaine")
    METRO = "METRO", _("Métropole")
    MET69 = "MET69", _("Métropole de Lyon")


# Kinds of commune that belong to another one (Commune.parent).
KINDS_WITH_PARENT = (CommuneKind.DELEGATED, CommuneKind.ASSOCIATED, CommuneKind.MUNICIPAL_DISTRICT)


class PlaceKind(models.TextChoices):
    """The kinds of place a territory is made of (autocomplete, TerritoryField)."""

    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("EPCI")
    DEPARTEMENT = "departement", _("Département")

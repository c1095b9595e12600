from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PORTEUR = "porteur", _("Porteur de projet")
    EVALUATEUR = "evaluateur", _("Évaluateur")
    PARTENAIRE = "partenaire", _("Partenaire régional")
    INSTRUCTEUR = "instructeur", _("Instructeur")
    ADMINISTRATEUR = "administrateur", _("Administrateur")


# Roles of State staff: they reach the Django admin and see every region.
STAFF_ROLES = (Role.INSTRUCTEUR, Role.ADMINISTRATEUR)
# Roles created by staff only; sign-up always makes a porteur.
INVITED_ROLES = (Role.EVALUATEUR, Role.PARTENAIRE, Role.INSTRUCTEUR, Role.ADMINISTRATEUR)


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("À chaque événement")
    DAILY = "daily", _("Un récapitulatif quotidien")

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ptce_ami.site import navigation

SERVICE_NAME = "AMI PTCE"
SERVICE_TAGLINE = _("Appel à manifestation d'intérêt pour les pôles territoriaux de coopération économique")


def site(request):
    return {
        "SERVICE_NAME": SERVICE_NAME,
        "SERVICE_TAGLINE": SERVICE_TAGLINE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "main_navigation": navigation.build(request),
    }

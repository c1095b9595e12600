import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from applications.models import Phase
from ptce_ami.accounts import two_factor
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.middleware import seconds_left
from ptce_ami.site import navigation
from ptce_ami.site.data import rgaa

SERVICE_NAME = "AMI PTCE"
SERVICE_TAGLINE = _("Appel à manifestation d'intérêt pour les pôles territoriaux de coopération économique")


def site(request):
    owed = two_factor.owes_second_factor(request)
    return {
        "SERVICE_NAME": SERVICE_NAME,
        "SERVICE_TAGLINE": SERVICE_TAGLINE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        # Each language named in itself, untranslated (the {% get_available_languages %} tag translates the names).
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "ACCESSIBILITY_LEVEL": rgaa.conformity_level(),
        # While a second factor is owed, every link but the logout would only lead back to it: none is shown.
        "second_factor_owed": owed,
        "main_navigation": [] if owed else navigation.build(request),
        "closing_phases": SimpleLazyObject(lambda: closing_phases(request)),
        # The session-timeout dialog's deadline (None without a signed-in session).
        "session_seconds_left": seconds_left(request),
        "SESSION_WARNING_SECONDS": settings.SESSION_WARNING_SECONDS,
    }


BANNER_WINDOW = datetime.timedelta(days=7)


def closing_phases(request):
    """For porteurs, on every page: open phases whose deadline is less than 7 days away (one query, lazily)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.role == Role.PORTEUR):
        return []
    now = timezone.now()
    phases = Phase.objects.published().open_at(now).filter(closes_at__lte=now + BANNER_WINDOW)
    return list(phases.select_related("edition").order_by("closes_at"))

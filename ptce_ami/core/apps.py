from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Ground floor: helpers every app may use (e-mail, PDF, text); imports nothing of ours."""

    name = "ptce_ami.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self):
        from ptce_ami.core import audit

        audit.connect_receivers()

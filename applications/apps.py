from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Floor 3: editions, phases, dossiers, members, attachments, workflow, eligibility, messages."""

    name = "applications"
    verbose_name = _("Candidatures")

    def ready(self):
        # reminders registers its sources when imported
        from applications.services import laureate_history, notifications, reminders, statistics  # noqa: F401
        from applications.signals import dossier_transitioned
        from territories.signals import referential_loaded

        notifications.connect()
        dossier_transitioned.connect(statistics.invalidate, dispatch_uid="applications.statistics.invalidate")
        referential_loaded.connect(laureate_history.link_regions, dispatch_uid="applications.link_laureate_regions")

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """Floor 3: editions, phases, dossiers, members, attachments, workflow, eligibility, messages."""

    name = "applications"
    verbose_name = "Candidatures"

    def ready(self):
        from applications.services import staff_notifications  # noqa: PLC0415 -- needs the models loaded

        staff_notifications.connect()

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """Floor 3: editions, phases, dossiers, members, attachments, workflow, eligibility, messages."""

    name = "applications"
    verbose_name = "Candidatures"

    def ready(self):
        from applications.services import notifications, reminders  # noqa: F401 -- reminders registers sources

        notifications.connect()

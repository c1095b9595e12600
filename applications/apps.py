from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """Floor 3: editions, phases, dossiers, members, attachments, workflow, eligibility, messages."""

    name = "applications"
    verbose_name = "Candidatures"

from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Top floor: home pages, dashboards and public pages; may import every app below."""

    name = "ptce_ami.site"
    label = "site"
    verbose_name = "Site"

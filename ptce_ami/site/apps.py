from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """Top floor: home pages, dashboards and public pages; may import every app below."""

    name = "ptce_ami.site"
    label = "site"
    verbose_name = _("Site")

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ptce_ami.accounts"
    label = "accounts"
    verbose_name = _("Comptes et rôles")

    def ready(self):
        # Connects the login signal receivers.
        from ptce_ami.accounts import language, middleware  # noqa: F401, PLC0415


class AdminConfig(admin_apps.AdminConfig):
    """The Django admin on the platform's own site, which also asks for the second factor (accounts.admin_site).
    Not this package's default configuration: INSTALLED_APPS names it in place of "django.contrib.admin"."""

    default = False
    default_site = "ptce_ami.accounts.admin_site.AdminSite"

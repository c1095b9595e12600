from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ptce_ami.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from ptce_ami.accounts import middleware  # noqa: F401, PLC0415 - connects the login signal receiver

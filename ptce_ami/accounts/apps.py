from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ptce_ami.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

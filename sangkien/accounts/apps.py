from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sangkien.accounts"
    label = "accounts"
    verbose_name = "Accounts"

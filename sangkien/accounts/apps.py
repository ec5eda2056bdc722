from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sangkien.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from sangkien.accounts import checks  # noqa: F401 - registers the SMS checks


from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sangkien.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # checks: the SMS checks; sessions: stamps each session at sign-in (user_logged_in)
        from sangkien.accounts import checks, sessions  # noqa: F401


from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The person's own pages (my data, its download, deletion, "is this you?", who viewed my data)
    and retention: the top layer, above ``initiatives`` and the feature apps."""

    name = "sangkien.privacy"
    label = "privacy"
    verbose_name = _("Dữ liệu cá nhân")

    def ready(self) -> None:
        from sangkien.accounts.steps import register_after_sign_in
        from sangkien.privacy.views import claim_target

        register_after_sign_in(claim_target)

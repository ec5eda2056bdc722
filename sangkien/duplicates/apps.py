from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "sangkien.duplicates"
    label = "duplicates"
    verbose_name = "Duplicates"

    def ready(self) -> None:
        """Register the duplicate checks the initiative services call (:mod:`sangkien.initiatives.text_checks`)."""
        from sangkien.duplicates.services import DuplicateChecks
        from sangkien.initiatives.text_checks import register

        register(DuplicateChecks())

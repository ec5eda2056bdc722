from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "sangkien.programmes"
    label = "programmes"
    verbose_name = "Programmes"

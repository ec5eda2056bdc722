from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "sangkien.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

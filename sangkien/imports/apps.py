from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "sangkien.imports"
    label = "imports"
    verbose_name = "Imports"

from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "sangkien.duplicates"
    label = "duplicates"
    verbose_name = "Duplicates"

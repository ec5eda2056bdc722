from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "sangkien.units"
    label = "units"
    verbose_name = "Units"

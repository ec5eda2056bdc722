from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sangkien.core"
    label = "core"
    verbose_name = "Core"

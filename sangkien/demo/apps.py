from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sangkien.demo"
    label = "demo"
    verbose_name = "Demo"

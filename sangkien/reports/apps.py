from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sangkien.reports"
    label = "reports"
    verbose_name = "Reports"

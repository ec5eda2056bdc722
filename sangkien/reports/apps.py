from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sangkien.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from sangkien.initiatives import totals
        from sangkien.reports.counting import programme_total

        totals.register(programme_total)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessLogConfig(AppConfig):
    """Who viewed or downloaded whose personal data: written by the initiative pages and the exports,
    read by the person's page in ``privacy``."""

    name = "sangkien.accesslog"
    label = "accesslog"
    verbose_name = _("Nhật ký truy cập dữ liệu cá nhân")

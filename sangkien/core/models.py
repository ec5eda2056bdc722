"""The audit log: one row for every change a person or a command makes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now


class AuditEntry(models.Model):
    """Who did what, when, to which object (pretix's ``log_action``)."""

    at = models.DateTimeField(_("lúc"), default=now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


def log_action(*, actor: Any, action: str, obj: models.Model, unit: Any = None, **data: Any) -> AuditEntry:
    """Record ``action`` (e.g. ``"initiative.submitted"``) on ``obj`` by ``actor``.

    ``actor`` may be ``None`` for commands; ``data`` must be JSON-serialisable.
    (``actor`` is a ``User`` and ``unit`` a ``Unit``, which ``core`` cannot import: hence ``Any``.)
    """
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        unit=unit,
        data=data,
    )

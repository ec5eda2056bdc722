"""Roles held on a unit; each reaches the unit's whole subtree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now


class Role(models.TextChoices):
    """The roles of docs/roles.md."""

    ORGANISING_COMMITTEE = "organising_committee", _("Ban tổ chức")
    UNIT_ADMIN = "unit_admin", _("Quản trị đơn vị")
    REVIEWER = "reviewer", _("Người xét duyệt")
    SUPPORT_TEAM = "support_team", _("Tổ hỗ trợ sáng kiến")


class RoleAssignment(models.Model):
    """``user`` holds ``role`` on ``unit`` and everything below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="one_role_per_unit")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

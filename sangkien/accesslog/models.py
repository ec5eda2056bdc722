"""Who viewed or downloaded whose personal data (Law 91/2025/QH15; Decree 13/2023/NĐ-CP).

One :class:`PersonalDataAccess` row per view of an initiative by someone
other than its submitter, per attachment download, per decision recorded on
it, and per export that wrote phones and e-mails unmasked (one row per
export, not per person: :mod:`sangkien.privacy.access` finds the exports
that covered a person's initiatives by unit subtree, programme and time).
Changes stay in the audit log (:class:`sangkien.core.models.AuditEntry`).

This app sits just below ``initiatives`` (it imports ``core``, ``units`` and
``roles`` only; its foreign keys name the models above it by string), so the
initiative pages and the exports can log an access without an import running
up a layer.  The person's page and retention are in ``privacy`` (the top).
The table keeps its first name, ``privacy_personaldataaccess``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now
from sangkien.roles.models import Role


class AccessKind(models.TextChoices):
    """What was done with the personal data."""

    INITIATIVE_VIEW = "initiative_view", _("Xem sáng kiến (có họ tên, số điện thoại, e-mail)")
    ATTACHMENT_DOWNLOAD = "attachment_download", _("Tải tệp đính kèm")
    REVIEW = "review", _("Xét duyệt sáng kiến")
    EXPORT = "export", _("Tải danh sách có số điện thoại, e-mail")


class PersonalDataAccess(models.Model):
    """``actor``, acting as ``role`` on ``role_unit``, did ``kind`` at ``at``.

    ``initiative`` is the initiative seen (None for an export); ``unit`` is
    the initiative's unit, or for an export the unit whose subtree was
    exported; ``object_ref`` names the object (tracking code, attachment
    file name, export number) so the row still reads after the object is
    gone.  ``purpose`` is what the exporter stated.  Rows are deleted after
    ``SANGKIEN_RETENTION_ACCESS_LOG_DAYS`` (``manage.py purge_personal_data``).
    """

    at = models.DateTimeField(_("lúc"), default=now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("người xem"))
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices, blank=True)
    role_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("đơn vị của vai trò"))
    kind = models.CharField(_("việc"), max_length=32, choices=AccessKind.choices)
    initiative = models.ForeignKey("initiatives.Initiative", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("sáng kiến"))
    programme = models.ForeignKey("programmes.Programme", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("chương trình"))
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("đơn vị"))
    object_ref = models.CharField(_("đối tượng"), max_length=255, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lần truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        db_table = "privacy_personaldataaccess"  # the model moved from privacy; the table did not
        indexes = [
            models.Index(fields=["initiative", "at"], name="privacy_access_initiative_at"),
            models.Index(fields=["kind", "programme", "at"], name="privacy_access_kind_prog_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.object_ref}"

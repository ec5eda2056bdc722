"""Programmes, their phases (windows as data) and targets."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now


class Programme(models.Model):
    """An initiative programme (chương trình), e.g. "75 nghìn sáng kiến" (2021).

    ``organiser`` is the unit whose organising committee runs it (TLĐ for a
    national programme, a provincial federation for its own programme).
    """

    slug = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("giới thiệu"), blank=True)
    organiser = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="programmes")
    is_published = models.BooleanField(_("công khai"), default=True)

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")

    def __str__(self) -> str:
        return self.name

    def open_phase(self, at: dt.datetime | None = None) -> Phase | None:
        """The phase whose submission window contains ``at`` (default: now), if any."""
        at = at or now()
        return self.phases.filter(submission_start__lte=at, submission_end__gt=at).first()

    def next_phase(self, at: dt.datetime | None = None) -> Phase | None:
        at = at or now()
        return self.phases.filter(submission_start__gt=at).order_by("submission_start").first()


class Phase(models.Model):
    """A phase (giai đoạn) of a programme.

    The submission window is ``[submission_start, submission_end)``: instants,
    stored in UTC, entered and shown in Asia/Ho_Chi_Minh.  "Closes after 24:00
    on 20/4/2021" is ``submission_end`` = 2021-04-21 00:00 local.  The effect
    window is a date range, both ends included: the initiative's effect must
    fall in it even if the initiative is older (letter 003, Dĩ An, 2021).
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("giai đoạn số"))
    name = models.CharField(_("tên"), max_length=120, blank=True)
    submission_start = models.DateTimeField(_("mở nhận từ"))
    submission_end = models.DateTimeField(_("đóng lúc"))
    effect_start = models.DateField(_("hiệu quả từ ngày"), null=True, blank=True)
    effect_end = models.DateField(_("hiệu quả đến ngày"), null=True, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="one_phase_number"),
            models.CheckConstraint(
                condition=models.Q(submission_end__gt=models.F("submission_start")),
                name="phase_window_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.name or _("%(programme)s — giai đoạn %(number)s") % {"programme": self.programme,
                                                                         "number": self.number}

    def is_open(self, at: dt.datetime | None = None) -> bool:
        """True while ``at`` (default: the clock's now) lies in the submission window."""
        at = at or now()
        return self.submission_start <= at < self.submission_end

    def effect_contains(self, day: dt.date) -> bool:
        """True when ``day`` falls inside the effect window (open ends allowed)."""
        if self.effect_start and day < self.effect_start:
            return False
        return not (self.effect_end and day > self.effect_end)


class Field(models.Model):
    """A field (lĩnh vực) an initiative belongs to; a shared list."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A target (chỉ tiêu): ``value`` initiatives for ``unit`` in ``phase``.

    ``phase`` empty means the target for the whole programme.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="targets")
    value = models.PositiveIntegerField(_("chỉ tiêu (số sáng kiến)"))

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "phase", "unit"], name="one_target_per_unit_phase",
                condition=models.Q(phase__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["programme", "unit"], name="one_programme_target_per_unit",
                condition=models.Q(phase__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.value}"

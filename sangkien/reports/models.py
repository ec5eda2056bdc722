"""Pre-aggregated counts for the dashboards (:mod:`sangkien.reports.rollup`).

A *scope* is a unit and a flag: ``own`` = the initiatives attached to the
unit itself (its "unknown unit" row when it has children), otherwise its
whole subtree.  Subtree rows exist only for units with initiatives strictly
below them; for the others the own rows are the subtree.  ``phase_key`` is a
phase's primary key, or 0 for the whole programme.  Days are local
(Asia/Ho_Chi_Minh) submission days.  These tables are derived data: only
:mod:`sangkien.reports.rollup_refresh` writes them, and ``manage.py
refresh_rollups --full`` rebuilds them from the initiatives.
"""

from __future__ import annotations

from typing import Any

from django.db import models

#: Derived rows: no database constraint to check on millions of inserts, no index of their own
#: (the composite indexes start with the programme; units are retired, never deleted).
_DERIVED: dict[str, Any] = {"db_constraint": False, "db_index": False}


class DayCount(models.Model):
    """One scope's figures for one local day (and one phase, or all) — or, with
    ``month``, the sum of its days of the month starting on ``day`` (a date
    range then reads whole months and the days of at most two months).

    ``submitted``…``approved_public`` count initiatives submitted that day
    (``benefit_vnd``: VND/year, initiatives not rejected).  ``first_seen`` /
    ``last_seen``: participants whose first / last day of activity in the
    scope is this day (activity = being an author or co-author of an
    initiative submitted that day).  ``gaps_opened`` / ``gaps_closed``:
    :class:`GapCount` persons whose gap starts / ends this day (they tell a
    query which way of counting the gaps reads fewer rows).
    """

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+", **_DERIVED)
    phase_key = models.PositiveBigIntegerField()
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", **_DERIVED)
    own = models.BooleanField()
    month = models.BooleanField(default=False)
    day = models.DateField()
    submitted = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    benefit_vnd = models.BigIntegerField(default=0)
    submitted_enterprise = models.IntegerField(default=0)
    submitted_public = models.IntegerField(default=0)
    approved_enterprise = models.IntegerField(default=0)
    approved_public = models.IntegerField(default=0)
    first_seen = models.IntegerField(default=0)
    last_seen = models.IntegerField(default=0)
    gaps_opened = models.IntegerField(default=0)
    gaps_closed = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "phase_key", "unit", "own", "month", "day"],
                                               name="daycount_key")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{'own' if self.own else 'subtree'} {self.day:%Y-%m}{'' if self.month else f'-{self.day:%d}'}"


class GapCount(models.Model):
    """``persons`` participants active in the scope on ``prev_day`` and next on
    ``next_day``, nothing in between (``next_day - prev_day`` ≥ 2 days)."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+", **_DERIVED)
    phase_key = models.PositiveBigIntegerField()
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", **_DERIVED)
    own = models.BooleanField()
    prev_day = models.DateField()
    next_day = models.DateField()
    persons = models.IntegerField(default=0)

    class Meta:
        # Both orders, with ``persons``: a date-range query reads only the index
        # (one row per key is kept by the refresh, not by a constraint).
        indexes = [
            models.Index(fields=["programme", "phase_key", "unit", "own", "prev_day", "next_day", "persons"],
                         name="gapcount_prev"),
            models.Index(fields=["programme", "phase_key", "unit", "own", "next_day", "prev_day", "persons"],
                         name="gapcount_next"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.prev_day}→{self.next_day}: {self.persons}"


class PersonDay(models.Model):
    """A participant's activity as last counted: author or co-author of at
    least one counted initiative of ``programme`` in ``phase`` attached to
    ``unit`` and submitted on local ``day``.  The refresh compares it with
    the current authorships to know what changed for that person."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+", **_DERIVED)
    person_id = models.BigIntegerField()
    phase_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["programme", "person_id"], name="personday_person")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.unit_id} {self.day}"


class RollupState(models.Model):
    """Where the last refresh stopped: one row (``name`` = "default").

    ``watermark``: the instant the last refresh began (it read every change
    saved before, except late commits: see ``rollup_refresh.MARGIN``); ``tree``: a
    fingerprint of every unit's parent (units up to ``max_unit_id``), to
    notice moves; ``last_report``: what the last refresh did (JSON).
    """

    name = models.CharField(max_length=40, unique=True, default="default")
    watermark = models.DateTimeField(null=True, blank=True)
    tree = models.CharField(max_length=64, blank=True)
    max_unit_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    full_at = models.DateTimeField(null=True, blank=True)
    last_report = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.watermark}"

"""The tree of union units (đơn vị công đoàn).

The tree is data: imported, edited, merged and retired, never code.  It is a
materialised path (django-treebeard ``MP_Node``): a unit's subtree is every
unit whose ``path`` starts with its own, which makes "count everything below
this unit" one indexed range scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

if TYPE_CHECKING:
    from sangkien.accounts.models import User


class UnitKind(models.TextChoices):
    """Kinds of unit, by level (DOMAIN.md, "Organisation tree")."""

    NATIONAL = "national", _("Tổng Liên đoàn")
    PROVINCIAL_FEDERATION = "provincial_federation", _("LĐLĐ tỉnh, thành phố")
    NATIONAL_SECTOR_UNION = "national_sector_union", _("Công đoàn ngành Trung ương")
    DISTRICT_FEDERATION = "district_federation", _("LĐLĐ huyện, quận, thị xã, thành phố")
    SECTOR_UNION = "sector_union", _("Công đoàn ngành")
    INDUSTRIAL_ZONE_UNION = "industrial_zone_union", _("Công đoàn các khu công nghiệp")
    PUBLIC_EMPLOYEES_UNION = "public_employees_union", _("Công đoàn Viên chức")
    GRASSROOTS = "grassroots", _("Công đoàn cơ sở")


UPPER_LEVEL_KINDS = frozenset(
    {
        UnitKind.DISTRICT_FEDERATION,
        UnitKind.SECTOR_UNION,
        UnitKind.INDUSTRIAL_ZONE_UNION,
        UnitKind.PUBLIC_EMPLOYEES_UNION,
    }
)
PROVINCE_LEVEL_KINDS = frozenset({UnitKind.PROVINCIAL_FEDERATION, UnitKind.NATIONAL_SECTOR_UNION})


class UnitQuerySet(MP_NodeQuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)

    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it."""
        return self.filter(path__startswith=unit.path)


class Unit(MP_Node):
    """A union unit at any level.

    ``code`` is stable and unique: the official administrative-division code
    for units made from a division (Ninh Bình province = ``37``), otherwise a
    code under the parent's (``37-VC``).  ``member_count`` is the number of
    union members of a grassroots union (used for the 2 % participation rule).
    """

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    member_count = models.PositiveIntegerField(_("số đoàn viên"), null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    retired_on = models.DateField(_("ngày giải thể/sáp nhập"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_units",
        verbose_name=_("sáp nhập vào"),
    )
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    objects = MP_NodeManager.from_queryset(UnitQuerySet)()  # type: ignore[misc]  # stub base: see stubs/treebeard
    _history_user: User | None  # read by simple_history when it writes the history row

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_grassroots(self) -> bool:
        return self.kind == UnitKind.GRASSROOTS

    @property
    def is_upper_level(self) -> bool:
        return self.kind in UPPER_LEVEL_KINDS

    def subtree(self) -> UnitQuerySet:
        """This unit and all units below it, retired ones included."""
        return Unit.objects.filter(path__startswith=self.path)

    def contains(self, other: Unit) -> bool:
        """True when ``other`` is this unit or lies below it."""
        return other.path.startswith(self.path)

    def lineage(self) -> list[Unit]:
        """Ancestors from the root down to this unit (included)."""
        return [*Unit.objects.get_ancestors(self), self]

    def province(self) -> Unit | None:
        """The provincial federation (or national sector union) this unit belongs to."""
        for unit in self.lineage():
            if unit.kind in PROVINCE_LEVEL_KINDS:
                return unit
        return None

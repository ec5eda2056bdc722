"""The tree of union units (đơn vị công đoàn).

The tree is data: imported, edited, merged and retired, never code.  It is a
materialised path (django-treebeard ``MP_Node``): a unit's subtree is every
unit whose ``path`` starts with its own, which makes "count everything below
this unit" one indexed range scan.

Units live through time (issue 11, the 2025 reorganisation).  A row is ONE
unit during ONE period at one place in the tree: from ``valid_from``
(inclusive; null = before our records) to ``retired_on`` (exclusive; null =
still exists).  A move, rename or merge with an effective date retires the old
row and creates a new one, linked by a :class:`UnitSuccession`; the old row
keeps its place, so what was sent to it keeps counting where it counted.
Codes are reused across time (24 = Bắc Giang until 2025-07-01, the new Bắc
Ninh from then on): a code names one unit *at a date*, so the one lookup by
code is :meth:`UnitQuerySet.by_code`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.lookups import StartsWith
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
    COMMUNE_UNION = "commune_union", _("Công đoàn xã, phường, đặc khu")  # from 1/7/2025
    GRASSROOTS = "grassroots", _("Công đoàn cơ sở")


UPPER_LEVEL_KINDS = frozenset(
    {
        UnitKind.DISTRICT_FEDERATION,
        UnitKind.SECTOR_UNION,
        UnitKind.INDUSTRIAL_ZONE_UNION,
        UnitKind.PUBLIC_EMPLOYEES_UNION,
        UnitKind.COMMUNE_UNION,
    }
)
PROVINCE_LEVEL_KINDS = frozenset({UnitKind.PROVINCIAL_FEDERATION, UnitKind.NATIONAL_SECTOR_UNION})


def _today() -> dt.date:
    from sangkien.core.clock import local_now

    return local_now().date()


class UnitQuerySet(MP_NodeQuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        """Units that still exist (``is_active``, i.e. ``retired_on`` is null)."""
        return self.filter(is_active=True)

    def not_retired(self) -> UnitQuerySet:
        """Rows without an end date: the ones among which a code is unique (the partial constraint).

        Writers that upsert by code (the unit import) key on these; readers
        use :meth:`as_of` / :meth:`by_code`.
        """
        return self.filter(retired_on__isnull=True)

    def as_of(self, day: dt.date | None = None) -> UnitQuerySet:
        """The tree as of ``day`` (None: today, local date): rows that exist on that day.

        A row exists on ``day`` when ``valid_from`` is null or ≤ ``day`` and
        ``retired_on`` is null or > ``day`` (``retired_on`` is the first day it
        no longer exists).
        """
        day = day or _today()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                           Q(retired_on__isnull=True) | Q(retired_on__gt=day))

    def by_code(self, code: str, on: dt.date | None = None) -> Unit | None:
        """The unit that had ``code`` on ``on`` (None: today, local date), or None.

        The one lookup by code: a code names one unit at a given date, never
        forever (codes are reused across the 2025 reorganisation).  Surrounding
        spaces are ignored.
        """
        return self.as_of(on).filter(code=(code or "").strip()).order_by("-valid_from", "-pk").first()

    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it."""
        return self.filter(path__startswith=unit.path)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    """Treebeard's manager, returning :class:`UnitQuerySet` (treebeard hard-codes its own queryset class)."""

    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def get_first_root_node(self) -> Unit | None:
        """The first root (the national federation), or ``None`` for an empty tree.

        The unit with the smallest path: a root's path begins every path below it, so sorts
        before them, and the first root's before every other root's subtree.  One step in the
        path's index on both databases; treebeard's "``depth = 1``" (no index on ``depth``) read
        every unit on PostgreSQL: 8.9 ms with ~140,000 units, the national size (issue 12 round 7).
        """
        return self.get_queryset().first()


class Unit(MP_Node):
    """A union unit at any level, during one period (``valid_from`` … ``retired_on``).

    ``code`` is the official administrative-division code for units made from
    a division (Ninh Bình province = ``37``), otherwise a code under the
    parent's (``37-VC``).  It is unique among units existing at the same time
    (a partial unique constraint where ``retired_on`` is null, plus the
    services' check of overlapping periods), not forever.  ``member_count`` is
    the number of union members of a grassroots union (the 2 % participation
    rule).  ``is_active`` == ``retired_on is None``, kept in sync by the
    services.
    """

    code = models.CharField(_("mã"), max_length=40, db_index=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    member_count = models.PositiveIntegerField(_("số đoàn viên"), null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    valid_from = models.DateField(_("có hiệu lực từ ngày"), null=True, blank=True)
    retired_on = models.DateField(_("ngày giải thể/sáp nhập"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_units",
        verbose_name=_("sáp nhập vào"),
    )
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    objects: ClassVar[UnitManager] = UnitManager()
    _history_user: User | None  # read by simple_history when it writes the history row

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        indexes = [
            models.Index(fields=["kind"]),
            # A unit's children: "depth = d + 1 AND path BETWEEN p0000 AND pZZZZ" (treebeard's interval),
            # one range of this index at every level (units.chooser; issue 12 round 8).
            models.Index(fields=["depth", "path"], name="units_unit_depth_path"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(retired_on__isnull=True),
                                    name="units_unit_code_unique_current"),
        ]

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

    def exists_on(self, day: dt.date) -> bool:
        """True when this row exists on ``day`` (see :meth:`UnitQuerySet.as_of`)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.retired_on is None or self.retired_on > day)

    def successor_on(self, day: dt.date) -> Unit | None:
        """The unit that carries this one on ``day``: itself if it exists then, else its successor.

        Follows :class:`UnitSuccession` links forward (a bounded walk: at most
        50 steps); ``None`` when the unit was dissolved without successor
        before ``day``.  For a day before this row began, the row itself.
        """
        unit: Unit | None = self
        for _step in range(50):
            if unit is None or unit.retired_on is None or unit.retired_on > day:
                return unit
            link = (UnitSuccession.objects.filter(predecessor=unit, effective_on__lte=day)
                    .select_related("successor").order_by("effective_on", "pk").first())
            if link is None:
                return None
            unit = link.successor
        return unit


def subtree_path_range(path: str) -> tuple[str, str] | None:
    """``(first, last)``: the paths of ``path``'s subtree as a range compared byte by byte — ``path``
    and ``path`` padded with the last letter of treebeard's alphabet (``Z``) to the column's length:
    every path that begins with ``path`` lies in it, and no other does.  ``None`` for a root's path:
    its subtree is its whole tree, which an index does not narrow (with the range SQLite went from
    the units to the initiatives and sorted them all: the national review queue took 462 ms
    instead of 358, ``benchmarks/national_pages.py``, 01/12/2026 13:36 UTC).

    The one rule for a subtree on SQLite, whose case-blind ``LIKE`` no index serves: the ORM's
    ``path__startswith`` (:class:`PathStartsWith`) and hand-written statements
    (``initiatives.plausibility``) use it.
    """
    if len(path) <= Unit.steplen:
        return None
    return path, _last_in_subtree(path)


def _last_in_subtree(path: str) -> str:
    """``path`` padded with the last letter of treebeard's alphabet to the column's length: the
    greatest path its subtree may hold."""
    longest = Unit._meta.get_field("path").max_length or len(path)  # treebeard's: 255
    return path + Unit.alphabet[-1] * (longest - len(path))


def is_only_root(path: str) -> bool:
    """True when ``path`` is a root's and no other root exists: its subtree is every unit, and a
    filter on it selects every row that has a unit (the scope of a national officer: issue 12).

    One query, two probes of the path's index, for a root's path; ``False`` at once for any other.
    """
    if len(path) > Unit.steplen:
        return False
    last = _last_in_subtree(path)
    return not Unit.objects.filter(Q(path__lt=path) | Q(path__gt=last)).exists()


class PathStartsWith(StartsWith):
    """``path__startswith`` of :class:`Unit` (a subtree: ``Unit.subtree``, the access scoping, counts
    by unit) as a range of the path's index on SQLite: ``path BETWEEN p AND pZZZ…``
    (:func:`subtree_path_range`).

    SQLite's ``LIKE`` ignores case, so its index on ``path`` (compared byte by byte) cannot serve
    ``path LIKE 'p%'`` and every subtree filter read the whole units table, or started from the
    initiatives instead (issue 12: a grassroots reviewer's home took 0.5 s at a quarter of the
    national corpus; docs/benchmarks.md, "Officers' pages on the national corpus").  Paths hold
    ``0``–``9`` and ``A``–``Z`` only, so the range selects what the ``LIKE`` did.  PostgreSQL keeps
    the ``LIKE``, which the path's pattern index (``varchar_pattern_ops``) serves; an expression on
    the right (``OuterRef("path")``) and a root's path keep it too.
    """

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        """``lhs BETWEEN %s AND %s`` and its parameters, or the default ``LIKE`` (see the class)."""
        bounds = subtree_path_range(self.rhs) if self.rhs_is_direct_value() and isinstance(self.rhs, str) else None
        if bounds is None:
            return super().as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} BETWEEN %s AND %s", [*lhs_params, *bounds]


Unit._meta.get_field("path").register_lookup(PathStartsWith)


class SuccessionKind(models.TextChoices):
    """How a unit carries on (issue 11): renamed, moved, merged into another, split, dissolved."""

    RENAME = "rename", _("đổi tên")
    MOVE = "move", _("chuyển đơn vị cấp trên")
    MERGE = "merge", _("sáp nhập")
    SPLIT = "split", _("chia tách")
    DISSOLVE = "dissolve", _("giải thể")


class PlanStatus(models.TextChoices):
    """Where an uploaded reorganisation plan stands."""

    PREVIEWED = "previewed", _("đã xem trước")
    APPLIED = "applied", _("đã áp dụng")
    REFUSED = "refused", _("bị từ chối")


class ReorganisationPlan(models.Model):
    """A reorganisation plan file as uploaded or given to ``reorganise_units`` (issue 11).

    ``rows`` holds the parsed plan rows (JSON list of dicts, the fields of
    ``units.reorganisation.PlanRow`` with dates as ISO strings), so the
    confirmation applies exactly what was previewed; ``file_sha256`` is the
    hex SHA-256 of the file's bytes.  ``status`` goes previewed → applied
    (once: a second confirmation sees ``applied``) or refused.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người tải lên"))
    created_at = models.DateTimeField(_("lúc tải lên"))
    scope = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("phạm vi"))
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 của tệp"), max_length=64, blank=True)
    rows = models.JSONField(_("các dòng"), default=list)
    status = models.CharField(_("trạng thái"), max_length=16, choices=PlanStatus.choices,
                              default=PlanStatus.PREVIEWED)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người áp dụng"))
    applied_at = models.DateTimeField(_("lúc áp dụng"), null=True, blank=True)
    summary = models.JSONField(_("tóm tắt"), default=dict, blank=True)

    class Meta:
        verbose_name = _("phương án sắp xếp đơn vị")
        verbose_name_plural = _("phương án sắp xếp đơn vị")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name or str(self.pk)


class UnitSuccession(models.Model):
    """A link through time: ``predecessor`` carries on as ``successor`` from ``effective_on``.

    ``successor`` is null for a dissolution.  ``plan`` is the reorganisation
    plan that made the link (null for a single change or the backfill).
    Successions are the source of truth; ``Unit.merged_into`` is a shortcut.
    """

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions",
                                    verbose_name=_("đơn vị trước"))
    successor = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="predecessions", verbose_name=_("đơn vị kế tục"))
    kind = models.CharField(_("loại"), max_length=16, choices=SuccessionKind.choices)
    effective_on = models.DateField(_("có hiệu lực từ ngày"))
    plan = models.ForeignKey(ReorganisationPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="successions", verbose_name=_("phương án"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kế tục đơn vị")
        verbose_name_plural = _("kế tục đơn vị")
        ordering = ["effective_on", "pk"]
        indexes = [models.Index(fields=["effective_on"])]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.kind}, {self.effective_on})"


class CommuneKind(models.TextChoices):
    """Kinds of commune from 1/7/2025 (DOMAIN.md, "Since 2025")."""

    COMMUNE = "commune", _("xã")
    WARD = "ward", _("phường")
    SPECIAL_ZONE = "special_zone", _("đặc khu")


class Commune(models.Model):
    """A commune (xã, phường, đặc khu) as a place: what a commune union is formed for.

    Not a union unit: a commune union (công đoàn xã, phường, đặc khu) is a
    :class:`Unit`, formed where there are at least 1,500 members and 10
    grassroots unions, elsewhere covering its neighbours too (issue 11).
    ``code`` is the official 5-digit commune code, ``province_code`` the
    2025 province's code, ``valid_from`` the first day it exists (2025-07-01
    for the 3,321 communes of the 2025 reorganisation).  Loaded by
    ``manage.py load_national_units --as-of 2025-07-01`` from
    ``vietnamadminunits`` (:mod:`sangkien.units.national2025`).
    """

    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại"), max_length=16, choices=CommuneKind.choices)
    province_code = models.CharField(_("mã tỉnh"), max_length=2, db_index=True)
    valid_from = models.DateField(_("có hiệu lực từ ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("xã, phường, đặc khu")
        verbose_name_plural = _("xã, phường, đặc khu")
        ordering = ["province_code", "code"]

    def __str__(self) -> str:
        return self.name

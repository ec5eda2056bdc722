"""Initiatives (sáng kiến), their authors, attachments and review history."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now

if TYPE_CHECKING:
    pass


class SectorBlock(models.TextChoices):
    ENTERPRISE = "enterprise", _("Khối doanh nghiệp")
    PUBLIC = "public", _("Khối hành chính sự nghiệp")


class RecognitionForm(models.TextChoices):
    """Hình thức công nhận (letter 004, Ninh Thuận, 2022)."""

    NONE = "", _("Chưa được công nhận")
    RECOGNITION_DECISION = "recognition_decision", _("Quyết định công nhận sáng kiến")
    REWARD_DECISION = "reward_decision", _("Quyết định khen thưởng")
    OTHER = "other", _("Hình thức công nhận, khen thưởng trực tiếp khác")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Đã gửi, chờ xét duyệt")
    RETURNED = "returned", _("Trả lại để bổ sung")
    APPROVED = "approved", _("Được thông qua")
    REJECTED = "rejected", _("Không được thông qua")


TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_tracking_code() -> str:
    """A code like ``SK-7F3K9QXM`` a member can read out on the phone."""
    return "SK-" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


class Person(models.Model):
    """A participant (người tham gia): an author or co-author.

    Distinct participants are distinct persons.  ``user`` is set when the
    person has an account; people entered by a support team may not.
    ``phone`` is E.164 (``+84…``).
    """

    full_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("số điện thoại"), max_length=16, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    job = models.CharField(_("công việc"), max_length=150, blank=True)
    workplace = models.CharField(_("nơi làm việc"), max_length=255, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("người tham gia")
        verbose_name_plural = _("người tham gia")

    def __str__(self) -> str:
        return self.full_name


class InitiativeQuerySet(models.QuerySet["Initiative"]):
    def in_subtree(self, unit: Any) -> InitiativeQuerySet:
        return self.filter(unit__path__startswith=unit.path)

    #: An initiative is left out of every count while one of these fields is set (see :meth:`counted`).
    UNCOUNTED_WHEN = ("duplicate_of", "held_at")

    @classmethod
    def counted_filter(cls, prefix: str = "") -> models.Q:
        """The condition of :meth:`counted`, for initiatives reached through ``prefix``
        (``"initiative__"`` from :class:`Authorship`): a join, not a subquery."""
        return models.Q(**{f"{prefix}{name}__isnull": True for name in cls.UNCOUNTED_WHEN})

    @classmethod
    def uncounted_filter(cls) -> models.Q:
        """The opposite of :meth:`counted_filter`: one of :data:`UNCOUNTED_WHEN` is set.  Also the
        condition of the partial index ``initiative_uncounted``, so that a count of the uncounted
        ones reads a few index entries (the officer's home: received = all − uncounted, issue 12)."""
        condition = models.Q()
        for name in cls.UNCOUNTED_WHEN:
            condition |= models.Q(**{f"{name}__isnull": False})
        return condition

    def counted(self) -> InitiativeQuerySet:
        """The initiatives that count: the one definition behind every figure — live counting
        (``reports.counting``), the dashboards' roll-ups (``reports.rollup_store``), the
        plausibility rule's own figures.

        Every initiative received counts, whatever its status (the letters count the
        initiatives "tham gia" per unit, with no duplicate initiatives: docs/architecture.md
        "Counting"), except while one of :data:`UNCOUNTED_WHEN` is set:

        - ``duplicate_of``: a reviewer marked it as a duplicate of another initiative of the
          programme; the original counts, once (issue 3, ``sangkien.duplicates``);
        - ``held_at``: the submission broke the plausibility rule and is held until a reviewer
          of the level above releases it (issue 9 item 8, ``sangkien.initiatives.plausibility``).

        Code reading these fields row by row (``values_list``) leaves a row out when any of
        them is set, in the same way.
        """
        return self.filter(self.counted_filter())


class Initiative(models.Model):
    """One initiative submitted to one programme phase.

    ``unit`` is the deepest unit chosen.  When the member picked "my unit is
    not listed" under a parent, ``unit`` is that parent and ``unit_unlisted``
    is set: counted in the parent's "unknown unit" row.  An initiative with
    no unit at all (the Ninh Bình letter's "5 without a unit") hangs on the
    province with ``unit_unlisted``.  ``benefit_vnd`` is VND for one year.
    ``submission_token`` makes a double click or a resent form idempotent.
    ``duplicate_of`` is set when a reviewer marked it as a duplicate of
    another initiative of the programme (the original): it is then left out
    of every count (``reports.counting``), and the member sees
    ``duplicate_reason``.  ``held_at`` is set when the submission broke the
    plausibility rule (:mod:`sangkien.initiatives.plausibility`): it is saved
    but left out of every count until released.
    """

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="initiatives")
    phase = models.ForeignKey("programmes.Phase", on_delete=models.PROTECT, related_name="initiatives")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="initiatives")
    unit_unlisted = models.BooleanField(_("đơn vị không có trong danh sách"), default=False)
    unit_unlisted_name = models.CharField(_("tên đơn vị (tự khai)"), max_length=255, blank=True)
    sector_block = models.CharField(_("khối"), max_length=16, choices=SectorBlock.choices)
    field = models.ForeignKey(
        "programmes.Field", null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives",
        verbose_name=_("lĩnh vực"),
    )
    title = models.CharField(_("tên sáng kiến"), max_length=300)
    description = models.TextField(_("mô tả"), help_text=_("HTML đã làm sạch"))
    effect_summary = models.TextField(_("tóm tắt hiệu quả"), blank=True)
    benefit_vnd = models.BigIntegerField(_("giá trị làm lợi (đồng/năm)"), null=True, blank=True)
    recognition_form = models.CharField(
        _("hình thức công nhận"), max_length=32, choices=RecognitionForm.choices, blank=True
    )
    recognised_by = models.CharField(_("cấp công nhận"), max_length=255, blank=True)
    recognised_on = models.DateField(_("ngày công nhận"), null=True, blank=True)
    applied_from = models.DateField(_("áp dụng từ ngày"), null=True, blank=True)
    applied_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    is_trade_secret = models.BooleanField(_("bí mật kinh doanh"), default=False)
    award = models.CharField(_("giải thưởng"), max_length=255, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    status_reason = models.TextField(_("lý do"), blank=True)
    tracking_code = models.CharField(_("mã theo dõi"), max_length=16, unique=True, default=new_tracking_code)
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Cán bộ nhập thay (khi nhập hộ)"),
    )
    submitted_at = models.DateTimeField(_("ngày gửi"), default=now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates",
        verbose_name=_("trùng với"),
        help_text=_("Sáng kiến gốc khi người xét duyệt xác định đây là bản trùng; chỉ bản gốc được tính."),
    )
    duplicate_reason = models.TextField(_("lý do đánh dấu trùng"), blank=True)
    # Plausibility hold (issue 9 item 8, sangkien.initiatives.plausibility): saved but not counted
    # until a reviewer of a higher level releases it; ``held_reason`` is the rule's figures (a dict).
    held_at = models.DateTimeField(_("giữ chờ xác nhận lúc"), null=True, blank=True)
    held_reason = models.JSONField(_("lý do giữ chờ xác nhận"), default=dict, blank=True)
    authors: models.ManyToManyField[Person, Authorship] = models.ManyToManyField(
        Person, through="Authorship", related_name="initiatives")

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("sáng kiến")
        verbose_name_plural = _("sáng kiến")
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["programme", "submitted_at"]),
            models.Index(fields=["programme", "status"], condition=InitiativeQuerySet.uncounted_filter(),
                         name="initiative_uncounted"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_unit(self) -> Any:
        """The unit whose officers are responsible for this initiative."""
        return self.unit

    @property
    def entered_on_behalf(self) -> bool:
        return self.entered_by_id is not None and self.entered_by_id != self.submitted_by_id


class Authorship(models.Model):
    """``person`` is an author (``position`` 0) or co-author of ``initiative``.

    The five snapshot fields keep what was typed for this initiative — by
    the member, the officer entering on their behalf, or the import file —
    at the time: pages, exports and reports show them, never the
    :class:`Person`'s stored fields (issue 9 items 1 and 11).  ``person``
    only says who the participant is, for counting; the rules that link it
    are in :mod:`sangkien.initiatives.people`.  ``phone`` is E.164 or empty.

    Saved with an empty snapshot (test factories, demo data), it is copied
    from ``person``; the services always pass what was typed (an author
    typed with nothing at all matches no existing person, so that copy
    never reveals anyone).
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="authorships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField(default=0)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True, default="")
    phone = models.CharField(_("số điện thoại"), max_length=16, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    job = models.CharField(_("công việc"), max_length=150, blank=True, default="")
    workplace = models.CharField(_("nơi làm việc"), max_length=255, blank=True, default="")

    class Meta:
        ordering = ["initiative", "position"]
        constraints = [models.UniqueConstraint(fields=["initiative", "person"], name="author_once")]
        indexes = [
            # Person matching looks earlier entries up by what was typed.
            models.Index(fields=["phone"], name="authorship_phone"),
            models.Index(fields=["email"], name="authorship_email"),
            models.Index(fields=["full_name"], name="authorship_full_name"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.initiative}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.person_id is not None and not any(getattr(self, name) for name in SNAPSHOT_FIELDS):
            for name in SNAPSHOT_FIELDS:
                setattr(self, name, getattr(self.person, name))
        super().save(*args, **kwargs)

    @property
    def is_main_author(self) -> bool:
        return self.position == 0


#: What an :class:`Authorship` keeps of what was typed (same names as on :class:`Person`).
SNAPSHOT_FIELDS = ("full_name", "phone", "email", "job", "workplace")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.initiative.programme_id}/{instance.initiative.tracking_code}/{filename}"


class Attachment(models.Model):
    """A file attached to an initiative; served only through a scoped view."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.original_name


def pending_path(instance: PendingUpload, filename: str) -> str:
    """``pending/<yyyymmdd>/<random>/<name>``: under MEDIA_ROOT, never served directly."""
    return f"pending/{instance.created_at:%Y%m%d}/{uuid.uuid4().hex}/{filename}"


class PendingUpload(models.Model):
    """A file a member chose on a form that was sent back with errors.

    Kept so that the member does not have to choose it again (issue 8 item 7):
    tied to its ``owner`` and to the form's ``token`` (the submission token,
    or ``edit-<tracking code>`` on the edit page), listed on the re-displayed
    form with a "remove" box, turned into an :class:`Attachment` when the form
    is finally accepted, and deleted after :data:`PENDING_UPLOAD_TTL_HOURS`
    otherwise (``initiatives.attachments.purge_expired_uploads``).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    file = models.FileField(upload_to=pending_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["owner", "token"])]

    def __str__(self) -> str:
        return self.original_name


PENDING_UPLOAD_TTL_HOURS = 24


class StatusChange(models.Model):
    """One entry in an initiative's history: who, when, from, to, why."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["initiative", "at", "pk"]
        verbose_name = _("lịch sử xét duyệt")
        verbose_name_plural = _("lịch sử xét duyệt")

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.from_status} → {self.to_status}"

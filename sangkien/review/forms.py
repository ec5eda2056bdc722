"""Forms of the officer pages: the review queue's search, filters, sorting and tab counts
(reads only), and the bulk decision (:class:`BulkReviewForm`).

The query-string names are Vietnamese, as in the rest of the site's URLs:
``q`` (title, tracking code, author name), ``don-vi`` (a unit's code: its
whole subtree), ``linh-vuc`` (a field's code), ``tu-ngay``/``den-ngay``
(submitted, local dates dd/mm/yyyy, both days included), ``loi-tu``/``loi-den``
(yearly benefit, VND, as people write it: "1,5 triệu"), ``cho-xac-nhan``
(only submissions held as implausible, issue 9 item 8), ``sap-xep``,
``trang-thai`` and ``trang`` (page).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import end_of_day, start_of_day
from sangkien.core.money import AmountError, parse_vnd
from sangkien.initiatives.forms import DATE_FORMATS, DATE_WIDGET, ReviewForm
from sangkien.initiatives.models import Authorship, Initiative, InitiativeQuerySet, Status
from sangkien.programmes.models import Field

#: ``trang-thai`` value of the tab listing every status.
ALL = "tat-ca"

SORTS = {
    "cu-nhat": ("submitted_at", "pk"),
    "moi-nhat": ("-submitted_at", "-pk"),
    "loi-nhieu": (F("benefit_vnd").desc(nulls_last=True), "submitted_at", "pk"),
    "ten": ("title", "pk"),
}
SORT_CHOICES = [
    ("cu-nhat", _("Gửi trước xem trước")),
    ("moi-nhat", _("Mới gửi trước")),
    ("loi-nhieu", _("Giá trị làm lợi cao trước")),
    ("ten", _("Theo tên sáng kiến")),
]

#: Above this many units in scope, the unit filter is a code box, not a list.
MAX_UNIT_CHOICES = 400


class BenefitField(forms.Field):
    """An amount in VND as people write it ("1.500.000", "1,5 triệu"); ``None`` when empty."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "40"})

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()[:40]
        try:
            return parse_vnd(text)
        except AmountError as exc:
            raise ValidationError(str(exc)) from exc


class QueueFilterForm(forms.Form):
    """The queue's search box and filters; every field is optional.

    ``units`` are the units the reviewer may filter by (``None``: too many
    to list, the filter takes a unit code).
    """

    q = forms.CharField(label=_("Tìm"), required=False, max_length=200, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Tên, mã theo dõi hoặc tên tác giả")}))
    sort = forms.ChoiceField(label=_("Sắp xếp"), choices=SORT_CHOICES, required=False)

    def __init__(self, data: Any, *, units: list[Any] | None) -> None:
        super().__init__(data)
        self.units = units
        if units is None:
            unit_field: forms.Field = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=40)
        else:
            unit_field = forms.ChoiceField(
                label=_("Đơn vị"), required=False,
                choices=[("", _("— Cả phạm vi của bạn —")),
                         *[(u.code, ("· " * max(u.depth - units[0].depth, 0)) + u.name) for u in units]])
        self.fields["don-vi"] = unit_field
        self.fields["linh-vuc"] = forms.ModelChoiceField(
            label=_("Lĩnh vực"), queryset=Field.objects.order_by("position", "name"), required=False,
            to_field_name="code", empty_label=_("— Mọi lĩnh vực —"))
        self.fields["tu-ngay"] = forms.DateField(label=_("Gửi từ ngày"), required=False,
                                                 input_formats=DATE_FORMATS, widget=DATE_WIDGET)
        self.fields["den-ngay"] = forms.DateField(label=_("đến ngày"), required=False,
                                                  input_formats=DATE_FORMATS, widget=DATE_WIDGET)
        self.fields["loi-tu"] = BenefitField(label=_("Giá trị làm lợi từ (đồng)"), required=False)
        self.fields["loi-den"] = BenefitField(label=_("đến (đồng)"), required=False)
        self.fields["cho-xac-nhan"] = forms.BooleanField(label=_("Chỉ sáng kiến đang chờ cấp trên xác nhận"),
                                                         required=False)
        self.fields["sap-xep"] = self.fields.pop("sort")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("tu-ngay"), data.get("den-ngay")
        if start and end and end < start:
            self.add_error("den-ngay", _("Ngày kết thúc phải sau ngày bắt đầu."))
        low, high = data.get("loi-tu"), data.get("loi-den")
        if low is not None and high is not None and high < low:
            self.add_error("loi-den", _("Giá trị “đến” phải lớn hơn giá trị “từ”."))
        return data

    @property
    def is_filtered(self) -> bool:
        """True when any filter beyond sorting is set (the form opens by itself)."""
        return any(self.data.get(name) for name in ("don-vi", "linh-vuc", "tu-ngay", "den-ngay", "loi-tu",
                                                     "loi-den", "cho-xac-nhan"))

    def apply(self, qs: InitiativeQuerySet) -> InitiativeQuerySet:
        """``qs`` narrowed by the valid filters (invalid ones are left out and shown as errors).

        The unit filter is not applied here: the view resolves and authorises
        it first.
        """
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        text = (data.get("q") or "").strip()
        if text:
            authors = Authorship.objects.filter(initiative=OuterRef("pk"), full_name__icontains=text)
            qs = qs.filter(Q(title__icontains=text) | Q(tracking_code__iexact=text.upper())
                           | Q(Exists(authors)))
        if data.get("linh-vuc"):
            qs = qs.filter(field=data["linh-vuc"])
        if data.get("tu-ngay"):
            qs = qs.filter(submitted_at__gte=start_of_day(data["tu-ngay"]))
        if data.get("den-ngay"):
            qs = qs.filter(submitted_at__lt=end_of_day(data["den-ngay"]))
        if data.get("loi-tu") is not None:
            qs = qs.filter(benefit_vnd__gte=data["loi-tu"])
        if data.get("loi-den") is not None:
            qs = qs.filter(benefit_vnd__lte=data["loi-den"])
        if data.get("cho-xac-nhan"):
            qs = qs.filter(held_at__isnull=False)
        return qs

    def ordering(self) -> tuple[Any, ...]:
        """The ``order_by`` arguments of the chosen sort (oldest first by default)."""
        data = getattr(self, "cleaned_data", {})
        return SORTS.get(data.get("sap-xep") or "", SORTS["cu-nhat"])


def status_counts(qs: QuerySet[Initiative]) -> dict[str, int]:
    """``{status: count}`` of ``qs`` (every status, 0 when none), plus ``ALL``; one query.

    ``COUNT(*)``: unfiltered, the ``(programme, status)`` index answers alone (a count of the ids
    would make PostgreSQL read every row of the programme for the national queue's tabs).
    """
    found = dict(qs.order_by().values_list("status").annotate(n=Count("*")))
    counts = {value: found.get(value, 0) for value in Status.values}
    counts[ALL] = sum(counts.values())
    return counts


#: Most initiatives one bulk decision takes (a queue page holds 25).
MAX_BULK = 100


class BulkReviewForm(forms.Form):
    """One decision and one reason for several initiatives ticked in the queue.

    The reason is required here, before the confirmation step, when the
    decision returns or rejects (the member reads it).
    """

    decision = forms.ChoiceField(label=_("Quyết định cho các sáng kiến đã chọn"),
                                 choices=[("", _("— Chọn quyết định —")), *ReviewForm.DECISIONS],
                                 error_messages={"required": _("Hãy chọn quyết định.")})
    reason = forms.CharField(label=_("Lý do chung (người gửi sẽ đọc)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") in (Status.RETURNED, Status.REJECTED) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Hãy ghi lý do để người gửi biết cần làm gì."))
        return data

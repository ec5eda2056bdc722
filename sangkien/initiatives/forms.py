"""Forms of the member and officer pages.  Forms parse and validate; the
services in ``services.py`` write."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sangkien.core.money import AmountError, parse_vnd
from sangkien.core.phone import PhoneError, normalise_phone
from sangkien.core.sanitise import clean_description, plain_text
from sangkien.initiatives.attachments import prepare_upload, spend_upload_quota
from sangkien.initiatives.details import AuthorData, InitiativeDetails
from sangkien.initiatives.models import Attachment, RecognitionForm, SectorBlock, Status
from sangkien.initiatives.services import ALLOWED_DECISIONS
from sangkien.programmes.models import Field, Phase
from sangkien.units.chooser import MAX_LEVELS

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
# A text box, not type=date: phones show type=date in the browser's locale
# (often mm/dd/yyyy); people here write dd/mm/yyyy.
DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
MAX_CO_AUTHORS = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def attachment_rules() -> str:
    """What may be attached, from settings, for the text next to the file field:
    "PDF, Word, Excel, JPG, PNG — tối đa 10 MB mỗi tệp, 5 tệp"."""
    kinds = {"pdf": "PDF", "doc": "Word", "docx": "Word", "xls": "Excel", "xlsx": "Excel",
             "jpg": "JPG", "jpeg": "JPG", "png": "PNG"}
    names = list(dict.fromkeys(kinds.get(ext, ext.upper()) for ext in settings.SANGKIEN_ATTACHMENT_EXTENSIONS))
    return _("%(kinds)s — tối đa %(mb)d MB mỗi tệp, %(n)d tệp") % {
        "kinds": ", ".join(names), "mb": settings.SANGKIEN_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "n": settings.SANGKIEN_ATTACHMENT_MAX_FILES}


class AttachmentsField(forms.FileField):
    """Several files; each checked for type (by its bytes) and size (settings.SANGKIEN_ATTACHMENT_*).

    ``already`` is how many files the initiative will have besides these
    (held from an earlier try, or attached before): the total may not pass
    ``SANGKIEN_ATTACHMENT_MAX_FILES``.  With ``uploader`` set, the files count
    against that person's hourly upload quota
    (:func:`~sangkien.initiatives.attachments.spend_upload_quota`); when it is
    spent, ``over_quota`` is set and no file is kept.  Cleans to the files to
    store (pictures re-encoded without their metadata).
    """

    widget = MultipleFileInput
    already = 0
    uploader: Any = None
    over_quota = False

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        limit = settings.SANGKIEN_ATTACHMENT_MAX_FILES
        if len(files) + self.already > limit:
            if self.already:
                raise ValidationError(_("Tối đa %(n)d tệp đính kèm; đã có %(k)d tệp."),
                                      params={"n": limit, "k": self.already})
            raise ValidationError(_("Tối đa %(n)d tệp đính kèm."), params={"n": limit})
        if self.uploader is not None and (refusal := spend_upload_quota(user=self.uploader, files=files)):
            self.over_quota = True
            raise ValidationError(refusal)
        prepared = [prepare_upload(upload) for upload in files]
        errors = [ValidationError(p.problem) for p in prepared if p.problem]
        if errors:
            raise ValidationError(errors)
        return [p.file for p in prepared]


class _NotMemoisable(Exception):
    """A widget context holding something :func:`_memo_key` does not know how to compare."""


def _memo_key(value: Any) -> Any:
    """``value`` (a widget's template context) as a hashable key that differs wherever the rendered
    HTML may differ: types are kept (a safe string is not escaped; ``True`` is not ``1``), lazy
    texts are resolved in the active language, and dict order is kept (attributes render in order).

    :raises _NotMemoisable: anything else (a model instance, a file…).
    """
    if value is None or isinstance(value, bool | int | float | dt.date):
        return (type(value).__name__, value)
    if isinstance(value, SafeData):
        return ("safe", str(value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, Promise):
        return ("lazy", str(value))
    if isinstance(value, dict):
        return ("dict", tuple((key, _memo_key(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_memo_key(item) for item in value))
    raise _NotMemoisable(type(value).__name__)


def _holds_typed_text(widget: dict[str, Any]) -> bool:
    """Whether a widget context holds a value typed by someone (kept out of the memo: personal data,
    and no end of distinct values); a choice widget's values are its choices."""
    if widget.get("optgroups") is not None or "optgroups" not in widget and widget.get("type") in {"radio", "checkbox"}:
        return False
    return widget.get("value") not in (None, "", [])


class MemoisingRenderer(DjangoTemplates):
    """Django's form renderer, remembering the HTML of widgets that are the same on every member's form
    (the choice lists — fields, sector blocks, recognition forms — and the empty text boxes): a widget's
    HTML is a function of its template, its context and the language, so the same three give the same
    HTML without rendering the widget templates again (issue 12: half of the form page's template time).

    A widget holding typed text (a name, a phone, a token) is remembered without it: its HTML is
    rendered once with :data:`TYPED_TEXT_MARK` in place of the value, and each form gets that HTML
    with its own value escaped in the mark's place — what the widget templates do with a text
    (``{{ widget.value }}`` escapes it), so the HTML is the same and the memo holds no one's data
    (issue 12 round 10: the author fields were most of the form page's widget time). A value that is
    not a plain ``str`` (already marked safe, a number) is rendered as usual.
    At most :attr:`MAX_ENTRIES` pieces of HTML per process; the memo starts again when it is full.
    """

    MAX_ENTRIES = 512

    def __init__(self) -> None:
        super().__init__()
        self._memo: dict[Any, str] = {}
        self._lock = threading.Lock()

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if request is None and len(context) == 1 else None
        if not isinstance(widget, dict):
            return super().render(template_name, context, request)
        typed = widget["value"] if _holds_typed_text(widget) else None
        if typed is not None:
            if type(typed) is not str:  # noqa: E721  # exactly str: a SafeString is not escaped
                return super().render(template_name, context, request)
            shape = self._memoised(template_name, {"widget": {**widget, "value": TYPED_TEXT_MARK}})
            if shape is None or shape.count(TYPED_TEXT_MARK) != 1:
                return super().render(template_name, context, request)
            return mark_safe(shape.replace(TYPED_TEXT_MARK, escape(typed)))  # noqa: S308  # the value escaped
        html = self._memoised(template_name, context)
        return super().render(template_name, context, request) if html is None else html

    def _memoised(self, template_name: str, context: dict[str, Any]) -> str | None:
        """The HTML of ``context`` (a widget's), rendered once per template, language and context;
        ``None`` when the context holds something :func:`_memo_key` cannot compare."""
        try:
            key = (template_name, get_language(), _memo_key(context["widget"]))
        except _NotMemoisable:
            return None
        html = self._memo.get(key)
        if html is None:
            html = super().render(template_name, context)
            with self._lock:
                if len(self._memo) >= self.MAX_ENTRIES:
                    self._memo.clear()
                self._memo[key] = html
        return html


#: What :class:`MemoisingRenderer` renders in place of a typed value (letters and digits only: no
#: template escapes or changes it, so it is found again in the HTML).
TYPED_TEXT_MARK = "skTypedTextMark9f3c1a7e"

#: The renderer of the initiative forms (one per process, shared by every request).
MEMOISING_RENDERER = MemoisingRenderer()


def field_choices(empty_label: Any) -> list[tuple[Any, Any]]:
    """The ``field`` select's choices, read at once (no database cursor left open while the page
    renders): ``empty_label`` first, then each :class:`~sangkien.programmes.models.Field` in its
    order, as Django's ``ModelChoiceField`` lists them (pk, ``str(field)``)."""
    return [("", empty_label), *((f.pk, str(f)) for f in Field.objects.all())]


class _ReadOnce:
    """The ``field`` select's choices as a callable (Django calls it when the select is rendered, never
    for a form that is only validated), read from the database the first time only."""

    def __init__(self, empty_label: Any) -> None:
        self.empty_label = empty_label
        self.rows: list[tuple[Any, Any]] | None = None

    def __call__(self) -> list[tuple[Any, Any]]:
        if self.rows is None:
            self.rows = field_choices(self.empty_label)
        return self.rows


class InitiativeDetailsForm(forms.Form):
    """What an initiative says: shared by submission, on-behalf entry and edits."""

    sector_block = forms.ChoiceField(label=_("Khối"), choices=SectorBlock.choices, widget=forms.RadioSelect)
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.all(), required=False,
                                   empty_label=_("— Chọn lĩnh vực —"))
    title = forms.CharField(label=_("Tên sáng kiến"), max_length=300)
    description = forms.CharField(
        label=_("Mô tả sáng kiến"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Có thể soạn trong Word rồi dán vào: giữ đoạn, gạch đầu dòng, bảng, chữ đậm, nghiêng."),
    )
    effect_summary = forms.CharField(label=_("Tóm tắt hiệu quả"), required=False, max_length=2000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    benefit_vnd = forms.CharField(
        label=_("Giá trị làm lợi ước tính trong 01 năm (đồng)"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": _("1.500.000 hoặc 1,5 triệu")}),
    )
    recognition_form = forms.ChoiceField(label=_("Hình thức công nhận"), choices=RecognitionForm.choices,
                                         required=False)
    recognised_by = forms.CharField(label=_("Cấp công nhận"), required=False, max_length=255)
    recognised_on = forms.DateField(label=_("Ngày công nhận"), required=False, input_formats=DATE_FORMATS,
                                    widget=DATE_WIDGET)
    applied_from = forms.DateField(label=_("Áp dụng từ ngày"), required=False, input_formats=DATE_FORMATS,
                                   widget=DATE_WIDGET)
    applied_to = forms.DateField(label=_("Áp dụng đến ngày"), required=False, input_formats=DATE_FORMATS,
                                 widget=DATE_WIDGET)
    is_trade_secret = forms.BooleanField(
        label=_("Bí mật kinh doanh: chỉ công bố tên, tóm tắt hiệu quả và giải thưởng"), required=False)

    default_renderer = MEMOISING_RENDERER

    def __init__(self, *args: Any, phase: Phase | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phase = phase
        field = self.fields["field"]
        field.choices = _ReadOnce(field.empty_label)  # type: ignore[attr-defined]  # a ModelChoiceField

    #: The typed description once sanitised, kept even when it is refused (too long): the
    #: submit page's "similar initiatives" panel compares it without cleaning it again.
    sanitised_description = ""

    def clean_description(self) -> str:
        cleaned = clean_description(self.cleaned_data["description"])
        self.sanitised_description = cleaned
        if not plain_text(cleaned):
            raise ValidationError(_("Hãy mô tả sáng kiến."))
        if len(cleaned) > 100_000:
            raise ValidationError(_("Mô tả quá dài (tối đa khoảng 100.000 ký tự)."))
        return cleaned

    def clean_benefit_vnd(self) -> int | None:
        try:
            return parse_vnd(self.cleaned_data["benefit_vnd"])
        except AmountError as exc:
            raise ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("applied_from"), data.get("applied_to")
        if start and end and end < start:
            self.add_error("applied_to", _("Ngày kết thúc áp dụng phải sau ngày bắt đầu."))
        phase = self.phase
        if phase and start and phase.effect_end and start > phase.effect_end:
            self.add_error("applied_from", _("Hiệu quả của sáng kiến phải nằm trong khoảng %(a)s – %(b)s.") % {
                "a": _fmt(phase.effect_start), "b": _fmt(phase.effect_end)})
        if phase and end and phase.effect_start and end < phase.effect_start:
            self.add_error("applied_to", _("Hiệu quả của sáng kiến phải nằm trong khoảng %(a)s – %(b)s.") % {
                "a": _fmt(phase.effect_start), "b": _fmt(phase.effect_end)})
        if data.get("recognition_form") and not data.get("recognised_by"):
            self.add_error("recognised_by", _("Ghi rõ cấp có thẩm quyền đã công nhận."))
        return data

    def details(self) -> InitiativeDetails:
        """The cleaned values as the services take them; call after ``is_valid()``."""
        data = self.cleaned_data
        field = data.get("field")
        return InitiativeDetails(
            title=data["title"], description=data["description"], sector_block=data["sector_block"],
            field_id=field.pk if field is not None else None, effect_summary=data.get("effect_summary", ""),
            benefit_vnd=data.get("benefit_vnd"), recognition_form=data.get("recognition_form") or "",
            recognised_by=data.get("recognised_by", ""), recognised_on=data.get("recognised_on"),
            applied_from=data.get("applied_from"), applied_to=data.get("applied_to"),
            is_trade_secret=bool(data.get("is_trade_secret")))


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


class SubmissionForm(InitiativeDetailsForm):
    """The member's form: author, co-authors, unit chooser, details, files."""

    author_full_name = forms.CharField(label=_("Họ và tên tác giả"), max_length=150)
    author_phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    author_email = forms.EmailField(label=_("E-mail"), required=False)
    author_job = forms.CharField(label=_("Công việc, chức vụ"), max_length=150, required=False)
    author_workplace = forms.CharField(label=_("Nơi làm việc"), max_length=255, required=False)
    co_authors = forms.CharField(
        label=_("Đồng tác giả"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi người một dòng: Họ và tên, số điện thoại (nếu có)."),
    )
    unit_unlisted_name = forms.CharField(label=_("Tên đơn vị của bạn"), max_length=255, required=False)
    attachments = AttachmentsField(label=_("Tệp đính kèm"), required=False,
                                   widget=MultipleFileInput(attrs={"multiple": True}))
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    remove_pending = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=[],
                                                    widget=forms.CheckboxSelectMultiple)

    field_order = ["author_full_name", "author_phone", "author_email", "author_job", "author_workplace",
                   "co_authors"]

    def __init__(self, *args: Any, held: list[Any] | None = None, uploader: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].uploader = uploader  # type: ignore[attr-defined]  # AttachmentsField's own attribute
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4().hex)
        self.held = list(held or [])
        self.fields["remove_pending"].choices = [(h.pk, h.original_name) for h in self.held]  # type: ignore[attr-defined]  # a ChoiceField
        removed = {str(v) for v in self.data.getlist("remove_pending")} if self.is_bound else set()  # type: ignore[attr-defined]  # a QueryDict when bound
        self.fields["attachments"].already = len([h for h in self.held if str(h.pk) not in removed])  # type: ignore[attr-defined]  # AttachmentsField's own attribute
        self.fields["attachments"].help_text = attachment_rules()
        for number in range(1, MAX_LEVELS + 1):
            self.fields[f"unit_{number}"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_author_phone(self) -> str:
        raw = self.cleaned_data["author_phone"]
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_co_authors(self) -> list[AuthorData]:
        people = []
        lines = [ln.strip() for ln in self.cleaned_data["co_authors"].splitlines() if ln.strip()]
        if len(lines) > MAX_CO_AUTHORS:
            raise ValidationError(_("Tối đa %(n)d đồng tác giả."), params={"n": MAX_CO_AUTHORS})
        for line in lines:
            name, _sep, rest = line.partition(",")
            phone = ""
            if rest.strip():
                try:
                    phone = normalise_phone(rest.strip())
                except PhoneError as exc:
                    raise ValidationError(_("Dòng “%(line)s”: %(err)s"), params={"line": line, "err": str(exc)}) from exc
            people.append(AuthorData(full_name=name.strip()[:150], phone=phone))
        return people

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("author_phone") and not data.get("author_email"):
            self.add_error("author_phone", _("Nhập số điện thoại hoặc e-mail để Ban tổ chức liên hệ."))
        return data

    def unit_codes(self) -> list[str]:
        source = self.data if self.is_bound else self.initial
        return [str(source.get(f"unit_{n}", "") or "") for n in range(1, MAX_LEVELS + 1)]

    def authors(self) -> list[AuthorData]:
        data = self.cleaned_data
        main = AuthorData(full_name=data["author_full_name"], phone=data.get("author_phone", ""),
                          email=data.get("author_email", ""), job=data.get("author_job", ""),
                          workplace=data.get("author_workplace", ""))
        return [main, *data.get("co_authors", [])]


class PkMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose values must be primary keys (ASCII digits, inside the 64-bit
    range) before any query: Django lets an over-large integer through to its ``pk__in`` query, which
    SQLite (OverflowError) and PostgreSQL ("out of range") answer with a 500 (POST fuzz, issue 9.9).

    :raises ValidationError: ``invalid_pk_value`` (Django's translated message) for any other value.
    """

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and int(text) < 2**63):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)  # type: ignore[misc]  # Django's, not in django-stubs


class ReturnedEditForm(InitiativeDetailsForm):
    """The member completes a returned initiative: details, new files, files to remove."""

    attachments = AttachmentsField(label=_("Thêm tệp đính kèm"), required=False,
                                   widget=MultipleFileInput(attrs={"multiple": True}))
    remove_attachments = PkMultipleChoiceField(
        label=_("Bỏ tệp đã gửi"), required=False, queryset=Attachment.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    remove_pending = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=[],
                                                    widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, initiative: Any, held: list[Any] | None = None, uploader: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].uploader = uploader  # type: ignore[attr-defined]  # AttachmentsField's own attribute
        self.initiative = initiative
        self.held = list(held or [])
        attached = initiative.attachments.all()
        self.fields["remove_attachments"].queryset = attached  # type: ignore[attr-defined]  # a ModelMultipleChoiceField
        self.fields["remove_pending"].choices = [(h.pk, h.original_name) for h in self.held]  # type: ignore[attr-defined]  # a ChoiceField
        removed_held = {str(v) for v in self.data.getlist("remove_pending")} if self.is_bound else set()  # type: ignore[attr-defined]  # a QueryDict when bound
        removed = {str(v) for v in self.data.getlist("remove_attachments")} if self.is_bound else set()  # type: ignore[attr-defined]  # a QueryDict when bound
        self.fields["attachments"].already = (  # type: ignore[attr-defined]  # AttachmentsField's own attribute
            len([a for a in attached if str(a.pk) not in removed])
            + len([h for h in self.held if str(h.pk) not in removed_held]))
        self.fields["attachments"].help_text = attachment_rules()


class ReviewForm(forms.Form):
    """A reviewer's decision and the reason the member will read.

    ``decision`` is a set of radio buttons (the initiative page loops over
    them); with ``status`` given, only the decisions that apply to an
    initiative in that status are offered (``services.ALLOWED_DECISIONS``).
    """

    DECISIONS = [(Status.APPROVED, _("Thông qua")),
                 (Status.RETURNED, _("Trả lại để bổ sung")),
                 (Status.REJECTED, _("Không thông qua"))]

    decision = forms.ChoiceField(label=_("Quyết định"), choices=DECISIONS, widget=forms.RadioSelect,
                                 error_messages={"required": _("Hãy chọn quyết định.")})
    reason = forms.CharField(label=_("Lý do (người gửi sẽ đọc)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, status: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if status is not None:
            allowed = ALLOWED_DECISIONS.get(status, set())
            decision = self.fields["decision"]
            assert isinstance(decision, forms.ChoiceField)
            decision.choices = [c for c in self.DECISIONS if c[0] in allowed]

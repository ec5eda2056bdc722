"""Exports: the lists and dashboards an officer sees, as XLSX or CSV.

Always limited to one unit's subtree that the officer reaches
(``imports.export``).  Phones and e-mails of authors are masked unless the
officer asked for them with a stated purpose (``ExportFilters.personal_data``
and ``purpose``, kept on the :class:`ExportRecord`) and holds
``imports.export_personal_data`` over the unit (reviewers and the organising
committee; not support teams nor unit administrators, docs/roles.md); such an
export is one row of the personal-data access log
(:func:`sangkien.accesslog.services.record_access`).  Rows are read in chunks of
:data:`CHUNK` by primary key, CSV is streamed, XLSX is written by xlsxwriter
in ``constant_memory`` mode (to a temporary file, or in a background task
above :data:`INLINE_XLSX_ROWS` rows): memory stays bounded whatever the
number of rows.  Every export is recorded in :class:`ExportRecord`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from sangkien.accesslog.models import AccessKind
from sangkien.accesslog.services import record_access
from sangkien.core.clock import LOCAL_TZ, now
from sangkien.core.exceptions import NotAllowed
from sangkien.core.models import log_action
from sangkien.core.phone import display_phone, mask_phone
from sangkien.core.spreadsheet import XLSX_SAFE_OPTIONS, csv_writer, safe_cell
from sangkien.imports.models import ExportKind, ExportRecord, ExportStatus, FileFormat
from sangkien.initiatives.models import Authorship, Initiative, RecognitionForm, SectorBlock, Status
from sangkien.programmes.models import Field, Phase, Programme
from sangkien.reports.counting import unit_table
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

CHUNK = 5000
INLINE_XLSX_ROWS = 20_000
XLSX_OPTIONS = {"constant_memory": True, **XLSX_SAFE_OPTIONS,
                "strings_to_numbers": False}


@dataclass
class ExportFilters:
    """The filters of the list or dashboard being exported (JSON-serialisable via :meth:`as_json`)."""

    status: str = ""
    phase_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    rank_by: str = "submitted"
    personal_data: bool = False  # phones and e-mails asked for (unmasked where allowed)
    purpose: str = ""  # what the exporter said they need them for

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilters:
        values = dict(data)
        for key in ("date_from", "date_to"):
            values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


def mask_email(email: str) -> str:
    """``hoa@example.vn`` → ``h***@example.vn``."""
    local, _sep, domain = email.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


class PersonalData:
    """Decides, per unit, whether ``user`` sees authors' phone and e-mail (cached).

    Masked unless ``requested`` (the exporter ticked "personal data" and stated a purpose)
    and ``user`` holds ``imports.export_personal_data`` over the unit.
    """

    def __init__(self, user: User, *, requested: bool = False) -> None:
        self.user = user
        self.requested = requested
        self._by_unit: dict[int, bool] = {}
        self.any_shown = False

    def allowed(self, unit: Unit) -> bool:
        if unit.pk not in self._by_unit:
            self._by_unit[unit.pk] = self.requested and bool(
                self.user.has_perm("imports.export_personal_data", unit))
        shown = self._by_unit[unit.pk]
        self.any_shown |= shown
        return shown

    def phone(self, value: str, shown: bool) -> str:
        if not value:
            return ""
        return display_phone(value) if shown else mask_phone(value)

    def email(self, value: str, shown: bool) -> str:
        if not value:
            return ""
        return value if shown else mask_email(value)


def initiative_headers() -> list[str]:
    return [_("Mã theo dõi"), _("Tên sáng kiến"), _("Mã đơn vị"), _("Đơn vị"), _("Khối"), _("Lĩnh vực"),
            _("Trạng thái"), _("Ngày gửi"), _("Giá trị làm lợi (đồng/năm)"), _("Hình thức công nhận"),
            _("Cấp công nhận"), _("Ngày công nhận"), _("Áp dụng từ ngày"), _("Áp dụng đến ngày"),
            _("Bí mật kinh doanh"), _("Tóm tắt hiệu quả"), _("Tác giả"), _("Số điện thoại"), _("E-mail"),
            _("Công việc, chức vụ"), _("Nơi làm việc"), _("Đồng tác giả"), _("Nhập hộ")]


def initiatives_queryset(*, programme: Programme, unit: Unit, filters: ExportFilters) -> Any:
    """Initiatives of ``programme`` in ``unit``'s subtree matching ``filters``."""
    from sangkien.core.clock import end_of_day, start_of_day

    qs = Initiative.objects.in_subtree(unit).filter(programme=programme)
    if filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.phase_id:
        qs = qs.filter(phase_id=filters.phase_id)
    if filters.date_from:
        qs = qs.filter(submitted_at__gte=start_of_day(filters.date_from))
    if filters.date_to:
        qs = qs.filter(submitted_at__lt=end_of_day(filters.date_to))
    return qs


INITIATIVE_VALUES = ("pk", "tracking_code", "title", "unit_id", "sector_block", "field_id", "status",
                     "submitted_at", "benefit_vnd", "recognition_form", "recognised_by", "recognised_on",
                     "applied_from", "applied_to", "is_trade_secret", "effect_summary", "entered_by_id",
                     "submitted_by_id")


def initiative_rows(*, user: User, programme: Programme, unit: Unit, filters: ExportFilters,
                    personal: PersonalData) -> Iterator[list[Any]]:
    """One list of cells per initiative, in chunks of :data:`CHUNK` (bounded memory)."""
    qs = initiatives_queryset(programme=programme, unit=unit, filters=filters).order_by("pk")
    fields = dict(Field.objects.values_list("pk", "name"))
    sectors = {k: str(v) for k, v in SectorBlock.choices}
    statuses = {k: str(v) for k, v in Status.choices}
    recognitions = {k: str(v) for k, v in RecognitionForm.choices if k}
    units: dict[int, Unit] = {}
    yes, no = _("Có"), ""
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).values_list(*INITIATIVE_VALUES)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        missing = {r[3] for r in chunk} - units.keys()
        if missing:
            units.update(Unit.objects.only("pk", "code", "name", "path").in_bulk(missing))
        authors: dict[int, list[tuple[Any, ...]]] = {}
        for row in (Authorship.objects.filter(initiative_id__in=[r[0] for r in chunk])
                    .order_by("initiative_id", "position")
                    .values_list("initiative_id", "full_name", "phone", "email", "job", "workplace")):
            authors.setdefault(row[0], []).append(row[1:])
        for (pk, code, title, unit_id, sector, field_id, status, submitted_at, benefit, recognition,
             recognised_by, recognised_on, applied_from, applied_to, secret, effect, entered_by,
             submitted_by) in chunk:
            the_unit = units[unit_id]
            shown = personal.allowed(the_unit) or (submitted_by is not None and submitted_by == user.pk)
            people = authors.get(pk, [])
            main = people[0] if people else ("", "", "", "", "")
            co = "; ".join(p[0] + (", " + personal.phone(p[1], shown) if p[1] else "") for p in people[1:])
            yield [
                code, title, the_unit.code, the_unit.name, sectors.get(sector, sector), fields.get(field_id, ""),
                statuses.get(status, status), submitted_at.astimezone(LOCAL_TZ).replace(tzinfo=None),
                benefit, recognitions.get(recognition, ""), recognised_by, recognised_on, applied_from,
                applied_to, yes if secret else no, effect, main[0], personal.phone(main[1], shown),
                personal.email(main[2], shown), main[3], main[4], co,
                yes if entered_by is not None and entered_by != submitted_by else no,
            ]


def unit_table_headers() -> list[str]:
    return [_("Hạng"), _("Mã đơn vị"), _("Đơn vị"), _("Người tham gia"), _("Sáng kiến"), _("Được thông qua"),
            _("Chỉ tiêu"), _("% chỉ tiêu"), _("Khối doanh nghiệp"), _("Khối hành chính sự nghiệp"),
            _("Giá trị làm lợi (đồng/năm)")]


def unit_table_rows(*, programme: Programme, unit: Unit, filters: ExportFilters) -> Iterator[list[Any]]:
    """The dashboard's table (:func:`sangkien.reports.counting.unit_table`), then its total row."""
    phase = Phase.objects.filter(pk=filters.phase_id, programme=programme).first() if filters.phase_id else None
    table = unit_table(programme=programme, unit=unit, phase=phase, date_from=filters.date_from,
                       date_to=filters.date_to, rank_by=filters.rank_by or "submitted")
    for row in table.rows:
        yield [row.rank, row.code or "", str(row.name), row.participants, row.submitted, row.approved,
               row.target, row.pct_of_target, row.submitted_enterprise, row.submitted_public, row.benefit_vnd]
    total = table.total
    yield ["", total.code, _("Tổng cộng: %(name)s") % {"name": total.name}, total.participants, total.submitted,
           total.approved, total.target, total.pct_of_target, total.submitted_enterprise,
           total.submitted_public, total.benefit_vnd]


# -- writers -----------------------------------------------------------------

def csv_cell(value: Any) -> str:
    """A cell as CSV text; text that a spreadsheet would run is escaped by :func:`safe_cell`."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int | Decimal):
        return str(value)
    return safe_cell(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(headers: list[str], rows: Iterable[list[Any]], *, on_done: Any = None) -> Iterator[bytes]:
    """CSV (UTF-8 with BOM, for Excel) as a stream of byte strings, 500 rows at a time."""
    writer = csv_writer(_Echo())
    yield ("\ufeff" + writer.writerow(headers)).encode("utf-8")
    count = 0
    buffer: list[str] = []
    try:
        for row in rows:
            buffer.append(writer.writerow([csv_cell(c) for c in row]))
            count += 1
            if len(buffer) >= 500:
                yield "".join(buffer).encode("utf-8")
                buffer = []
        if buffer:
            yield "".join(buffer).encode("utf-8")
    finally:
        if on_done is not None:
            on_done(count)


def write_xlsx(fh: IO[bytes] | str | Path, *, title: str, headers: list[str], rows: Iterable[list[Any]]) -> int:
    """Write one sheet to ``fh`` in constant memory; returns the number of data rows."""
    book = xlsxwriter.Workbook(fh, XLSX_OPTIONS)
    bold = book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True, "valign": "top"})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    datetime_fmt = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    money = book.add_format({"num_format": "#,##0"})
    sheet = book.add_worksheet(title[:31])
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(headers) - 1, 16)
    count = 0
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, safe_cell(value))
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, datetime_fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_fmt)
            elif isinstance(value, int):
                sheet.write_number(r, c, value, money if value >= 10_000 else None)
            else:
                sheet.write_number(r, c, value)
        count = r
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    book.close()
    return count


# -- export records --------------------------------------------------------------

def export_parts(record: ExportRecord, user: User) -> tuple[list[str], Iterator[list[Any]], PersonalData | None]:
    """Headers and rows of ``record``'s export, built for ``user``."""
    filters = ExportFilters.from_json(record.filters)
    if record.kind == ExportKind.UNIT_TABLE:
        return unit_table_headers(), unit_table_rows(programme=record.programme, unit=record.unit,
                                                     filters=filters), None
    personal = PersonalData(user, requested=filters.personal_data)
    rows = initiative_rows(user=user, programme=record.programme, unit=record.unit, filters=filters,
                           personal=personal)
    return initiative_headers(), rows, personal


def file_name(record: ExportRecord) -> str:
    kind = "sang-kien" if record.kind == ExportKind.INITIATIVES else "thong-ke"
    stamp = record.created_at.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return f"{kind}-{record.unit.code}-{stamp}.{record.file_format}"


def start_export(*, user: User, programme: Programme, unit: Unit, kind: str, file_format: str,
                 filters: ExportFilters) -> tuple[ExportRecord, bool]:
    """Record an export; returns ``(record, in_background)``.

    XLSX lists above :data:`INLINE_XLSX_ROWS` rows are built by a background
    task; everything else is built while it is downloaded.  A list asked for with personal
    data is logged once in the personal-data access log (with its purpose).

    :raises NotAllowed: personal data asked for without a purpose, or by someone who may
        not have it (``imports.export_personal_data`` over ``unit``).
    """
    if kind != ExportKind.INITIATIVES:  # counts only: nothing personal to ask for
        filters = replace(filters, personal_data=False, purpose="")
    personal = filters.personal_data
    if filters.personal_data and not (filters.purpose.strip()
                                      and user.has_perm("imports.export_personal_data", unit)):
        raise NotAllowed(_("Bạn không được tải số điện thoại và e-mail của tác giả, hoặc chưa ghi mục đích."))
    purge_expired_exports(limit=50)
    record = ExportRecord.objects.create(user=user, programme=programme, unit=unit, kind=kind,
                                         file_format=file_format, filters=filters.as_json())
    background = False
    if kind == ExportKind.INITIATIVES and file_format == FileFormat.XLSX:
        background = initiatives_queryset(programme=programme, unit=unit, filters=filters).count() > INLINE_XLSX_ROWS
    log_action(actor=user, action="export.started", obj=record, unit=unit, kind=kind, format=file_format,
               filters=record.filters, background=background)
    if personal:
        record_access(actor=user, kind=AccessKind.EXPORT, unit=unit, programme=programme,
                      object_ref=str(record.pk), purpose=filters.purpose)
    return record, background


def export_retention() -> dt.timedelta:
    """How long a built export file may be downloaded (``SANGKIEN_EXPORT_RETENTION_HOURS``, default 24)."""
    return dt.timedelta(hours=float(getattr(settings, "SANGKIEN_EXPORT_RETENTION_HOURS", 24)))


def is_expired(record: ExportRecord) -> bool:
    """Whether ``record``'s file is past :func:`export_retention` (or already purged)."""
    if record.status == ExportStatus.EXPIRED:
        return True
    return record.finished_at is not None and record.finished_at + export_retention() <= now()


def purge_expired_exports(*, limit: int = 500) -> int:
    """Delete the files of exports past :func:`export_retention` and mark them expired; the
    record itself stays (the import/export log keeps who exported what).  Returns how many.

    Runs from ``manage.py purge_exports`` (cron) and each time an export starts.
    """
    cutoff = now() - export_retention()
    stale = list(ExportRecord.objects.filter(status=ExportStatus.DONE, finished_at__lte=cutoff)
                 .order_by("finished_at")[:limit])
    for record in stale:
        if record.file:
            record.file.delete(save=False)
        ExportRecord.objects.filter(pk=record.pk).update(status=ExportStatus.EXPIRED, file="")
        log_action(actor=None, action="export.expired", obj=record, unit=record.unit)
    return len(stale)


def finish_export(record: ExportRecord, *, rows: int, personal: PersonalData | None) -> None:
    ExportRecord.objects.filter(pk=record.pk).update(
        rows=rows, status=ExportStatus.DONE, finished_at=now(),
        personal_data=bool(personal and personal.any_shown))


def build_inline_xlsx(record: ExportRecord, user: User) -> IO[bytes]:
    """The XLSX of a small export in an anonymous temporary file, ready to stream."""
    headers, rows, personal = export_parts(record, user)
    fh = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse)
    count = write_xlsx(fh, title=str(record.get_kind_display()), headers=headers, rows=rows)
    finish_export(record, rows=count, personal=personal)
    fh.seek(0)
    return fh


def build_export_file(record_id: int) -> ExportRecord:
    """Background task body: write the export to ``record.file``."""
    record = ExportRecord.objects.select_related("programme", "unit", "user").get(pk=record_id)
    try:
        headers, rows, personal = export_parts(record, record.user)  # type: ignore[arg-type]  # SET_NULL: None once deleted
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / file_name(record)
            if record.file_format == FileFormat.CSV:
                with path.open("wb") as fh:
                    counted: list[int] = []
                    for part in stream_csv(headers, rows, on_done=counted.append):
                        fh.write(part)
                count = counted[0]
            else:
                count = write_xlsx(str(path), title=str(record.get_kind_display()), headers=headers, rows=rows)
            with path.open("rb") as fh:
                record.file.save(file_name(record), File(fh), save=False)
        record.save(update_fields=["file"])
        finish_export(record, rows=count, personal=personal)
    except Exception:
        ExportRecord.objects.filter(pk=record.pk).update(status=ExportStatus.FAILED, finished_at=now())
        raise
    record.refresh_from_db()
    return record


def csv_download(record: ExportRecord, user: User) -> Iterator[bytes]:
    """The CSV of ``record`` as a stream; the record gets its row count at the end."""
    headers, rows, personal = export_parts(record, user)
    return stream_csv(headers, rows, on_done=lambda n: finish_export(record, rows=n, personal=personal))


"""What we hold about one person, for the page "Dữ liệu của tôi" and its downloads (right of access).

:func:`collect` gathers, for the signed-in user only, the account, their own
participant row, the initiatives they sent and those naming them (without
the other authors' personal data) and their consent history.  The same
dictionary feeds the page, the JSON file (:func:`as_json`) and the XLSX file
(:func:`as_xlsx`, every text cell through ``core.spreadsheet.safe_cell``).

Initiatives and participants are read through their own models, for this
one person only.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

import xlsxwriter
from django.db.models import Q
from django.utils.translation import gettext as _

from sangkien.accounts.consent import current_choices, history
from sangkien.accounts.models import Purpose, PurposeConsent
from sangkien.core.clock import LOCAL_TZ, now
from sangkien.core.spreadsheet import XLSX_SAFE_OPTIONS, safe_cell
from sangkien.initiatives.models import Initiative, Person
from sangkien.privacy.models import ClaimDecision

if TYPE_CHECKING:
    from sangkien.accounts.models import User


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
    return value.isoformat()


def collect(user: User) -> dict[str, Any]:
    """Everything we hold about ``user``, as JSON-ready data (strings, numbers, lists, dicts).

    Keys: ``account``, ``participant`` (or None), ``initiatives`` (each with
    ``roles``: ``submitted``, ``author``, ``co_author``), ``consents``
    (current ``{purpose: bool}``), ``consent_history``, ``authorship_answers``
    and ``exported_at``.  Times are ISO 8601 in Vietnam time.
    """
    person = Person.objects.filter(user=user).first()
    account = {
        "full_name": user.full_name, "phone": user.phone or "", "phone_verified_at": _when(user.phone_verified_at),
        "email": user.email or "", "date_joined": _when(user.date_joined), "last_login": _when(user.last_login),
    }
    participant = None if person is None else {
        "full_name": person.full_name, "phone": person.phone, "email": person.email, "job": person.job,
        "workplace": person.workplace, "created_at": _when(person.created_at),
    }
    found = Q(submitted_by=user)
    if person is not None:
        found |= Q(authorships__person=person)
    initiatives = []
    for i in (Initiative.objects.filter(found).distinct().select_related("programme", "unit", "field")
              .prefetch_related("authorships").order_by("submitted_at", "pk")):
        roles = ["submitted"] if i.submitted_by_id == user.pk else []
        for a in i.authorships.all():
            if person is not None and a.person_id == person.pk:
                roles.append("author" if a.position == 0 else "co_author")
        initiatives.append({
            "tracking_code": i.tracking_code, "title": i.title, "programme": i.programme.name,
            "unit": i.unit.name, "unit_unlisted_name": i.unit_unlisted_name, "status": i.get_status_display(),
            "status_reason": i.status_reason, "field": i.field.name if i.field else "",
            "sector_block": i.get_sector_block_display(), "description_html": i.description,
            "effect_summary": i.effect_summary, "benefit_vnd": i.benefit_vnd,
            "submitted_at": _when(i.submitted_at), "roles": roles,
        })
    return {
        "exported_at": _when(now()),
        "account": account,
        "participant": participant,
        "initiatives": initiatives,
        "consents": current_choices(user),
        "consent_history": [
            {"purpose": c.purpose, "granted": c.granted, "notice_version": c.version.version, "at": _when(c.at),
             "source": c.source}
            for c in history(user)
        ],
        "authorship_answers": [
            {"decision": c.decision, "at": _when(c.at)}
            for c in user.person_claims.order_by("at", "pk")
        ],
    }


def as_json(data: dict[str, Any]) -> bytes:
    """``data`` (from :func:`collect`) as indented UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _sheet(book: Any, name: str, header: list[str], rows: list[list[Any]]) -> None:
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(name[:31])
    for col, title in enumerate(header):
        sheet.write_string(0, col, safe_cell(str(title)), bold)
        sheet.set_column(col, col, 24)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, safe_cell(str(value)))


def as_xlsx(data: dict[str, Any]) -> bytes:
    """``data`` (from :func:`collect`) as an XLSX workbook: account, initiatives, consents.

    Text is written as text (``XLSX_SAFE_OPTIONS``) and through ``safe_cell``.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**XLSX_SAFE_OPTIONS, "in_memory": True})
    account, participant = data["account"], data["participant"] or {}
    labels = [
        (_("Họ và tên"), account["full_name"]), (_("Số điện thoại"), account["phone"]),
        (_("Xác minh số điện thoại lúc"), account["phone_verified_at"]), (_("E-mail"), account["email"]),
        (_("Ngày đăng ký"), account["date_joined"]), (_("Đăng nhập lần cuối"), account["last_login"]),
        (_("Công việc"), participant.get("job", "")), (_("Nơi làm việc"), participant.get("workplace", "")),
        (_("Xuất lúc"), data["exported_at"]),
    ]
    _sheet(book, _("Tài khoản"), [_("Thông tin"), _("Giá trị")], [[k, v] for k, v in labels])
    role_names = {"submitted": _("Người gửi"), "author": _("Tác giả"), "co_author": _("Đồng tác giả")}
    _sheet(book, _("Sáng kiến"),
           [_("Mã theo dõi"), _("Tên sáng kiến"), _("Chương trình"), _("Đơn vị"), _("Trạng thái"), _("Lý do"),
            _("Lĩnh vực"), _("Giá trị làm lợi (đồng/năm)"), _("Ngày gửi"), _("Vai trò"), _("Tóm tắt hiệu quả")],
           [[i["tracking_code"], i["title"], i["programme"], i["unit_unlisted_name"] or i["unit"], i["status"],
             i["status_reason"], i["field"], i["benefit_vnd"], i["submitted_at"],
             ", ".join(str(role_names[r]) for r in i["roles"]), i["effect_summary"]]
            for i in data["initiatives"]])
    purposes = dict(Purpose.choices)
    _sheet(book, _("Đồng ý"), [_("Mục đích"), _("Đồng ý"), _("Phiên bản điều khoản"), _("Lúc"), _("Nơi thực hiện")],
           [[str(purposes.get(c["purpose"], c["purpose"])), c["granted"], c["notice_version"], c["at"],
             str(PurposeConsent(source=c["source"]).get_source_display())]
            for c in data["consent_history"]])
    decisions = dict(ClaimDecision.choices)
    if data["authorship_answers"]:
        _sheet(book, _("Xác nhận tác giả"), [_("Trả lời"), _("Lúc")],
               [[str(decisions.get(a["decision"], a["decision"])), a["at"]] for a in data["authorship_answers"]])
    book.close()
    return buffer.getvalue()

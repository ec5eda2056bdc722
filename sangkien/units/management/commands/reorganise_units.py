"""``manage.py reorganise_units --plan FILE [--dry-run]``: preview, then apply a reorganisation plan (docs/units.md)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sangkien.core.clock import now
from sangkien.units.models import ReorganisationPlan
from sangkien.units.plan_file import PlanFileRefused, read_plan
from sangkien.units.reorganisation import PlanPreview, PlanRefused, apply_plan, preview_plan


def preview_lines(preview: PlanPreview) -> list[str]:
    """The preview as text lines (the command prints them; also used in tests)."""
    labels = {"move": _("chuyển"), "rename": _("đổi tên"), "merge": _("sáp nhập"), "split": _("chia tách"),
              "dissolve": _("giải thể"), "create": _("thành lập")}
    lines = []
    for change in preview.changes:
        where = _("dòng %(line)s: ") % {"line": change.line} if change.line else ""
        if change.kind == "create":
            text = _("%(label)s %(new)s (%(code)s) thuộc %(parent)s")
        elif change.kind == "dissolve":
            text = _("%(label)s %(old)s (%(old_code)s)")
        else:
            text = _("%(label)s %(old)s (%(old_code)s) → %(new)s (%(code)s) thuộc %(parent)s")
        text %= {"label": labels[change.kind], "old": change.old_name, "old_code": change.old_code,
                 "new": change.new_name, "code": change.new_code, "parent": change.new_parent}
        if change.carried:
            text += _(" — kèm %(n)s đơn vị trực thuộc") % {"n": change.carried}
        lines.append(where + text)
    whats = {"role": _("Quyền"), "target": _("Chỉ tiêu"), "review": _("Sáng kiến chờ xét duyệt")}
    for item in preview.follows:
        goes = item.to_unit or _("CẦN GIAO LẠI")
        lines.append(_("%(what)s: %(label)s — %(from)s → %(to)s")
                     % {"what": whats.get(item.what, item.what), "label": item.label, "from": item.from_unit,
                        "to": goes})
    summary = preview.summary()
    lines.append(_("Tổng: chuyển %(move)s, đổi tên %(rename)s, sáp nhập %(merge)s, chia tách %(split)s, "
                   "giải thể %(dissolve)s, thành lập %(create)s, đơn vị trực thuộc đi kèm %(carried)s; "
                   "quyền %(roles)s, chỉ tiêu %(targets)s, sáng kiến chờ xét duyệt %(reviews)s; "
                   "cần giao lại %(to_reassign)s.") % summary)
    return lines


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # argparse needs str, not a lazy string
        return _("Xem trước rồi áp dụng một phương án sắp xếp đơn vị (CSV/XLSX) trong một giao dịch — docs/units.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help=_("tệp phương án .csv hoặc .xlsx"))
        parser.add_argument("--dry-run", action="store_true", help=_("chỉ xem trước, không ghi gì"))

    def handle(self, *args: Any, plan: str, dry_run: bool, **options: Any) -> None:
        path = Path(plan)
        if not path.is_file():
            raise CommandError(_("Không có tệp %(path)s") % {"path": plan})
        data = path.read_bytes()
        try:
            rows, errors = read_plan(data, file_name=path.name)
        except PlanFileRefused as exc:
            raise CommandError(exc.message) from exc
        preview = preview_plan(rows=rows, actor=None) if not errors else None
        errors = errors + (preview.errors if preview else [])
        if errors:
            for error in errors:
                where = _("dòng %(line)s: ") % {"line": error.line} if error.line else ""
                self.stderr.write(f"{where}{error.code}: {error.message}")
            raise CommandError(_("Có %(count)s lỗi; không ghi gì vào cơ sở dữ liệu.") % {"count": len(errors)})
        assert preview is not None
        for line in preview_lines(preview):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("Chạy thử: không ghi gì."))
            return
        record = ReorganisationPlan.objects.create(created_at=now(), file_name=path.name[:255],
                                                   file_sha256=hashlib.sha256(data).hexdigest(),
                                                   rows=[row.as_json() for row in rows])
        try:
            applied = apply_plan(rows=rows, actor=None, plan=record)
        except PlanRefused as exc:
            record.status = "refused"
            record.save(update_fields=["status"])
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("Đã áp dụng phương án #%(pk)s (%(n)s dòng).")
                                             % {"pk": applied.plan_id, "n": len(rows)}))

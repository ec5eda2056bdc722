"""``manage.py import_initiatives FILE --programme SLUG --unit CODE [--dry-run] [--valid-only]``

Does what the upload page does, from the command line: check every row,
then save in one transaction — only when the whole file is clean, or (with
``--valid-only``) the valid rows.  ``--format json`` prints::

    {"file": "…", "sha256": "…", "programme": "…", "unit": "…", "job": 12,
     "dry_run": false, "mode": "all" | "valid", "status": "saved" | "rejected" | …,
     "rows_read": 100, "saved": 97, "already_saved": 1, "rejected": 2,
     "rejected_rows": [{"row": 7, "reasons": ["Số điện thoại: …"]}, …],
     "result_file": "/path/to/result.xlsx" | null, "message": "…"}

Exit status 0 only when every row was saved (now, or by an earlier import:
"already saved"); with ``--dry-run``, when every row would be.  1 otherwise.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.accounts.models import User
from sangkien.core.exceptions import DomainError
from sangkien.imports import holds, services
from sangkien.imports.columns import BY_KEY
from sangkien.imports.models import JobStatus, SaveMode
from sangkien.programmes.models import Programme
from sangkien.units.models import Unit


class Command(BaseCommand):
    help = "Nhập sáng kiến từ tệp Excel (.xlsx) hoặc CSV theo mẫu của chương trình."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--programme", required=True, help="mã (slug) chương trình")
        parser.add_argument("--unit", required=True, help="mã đơn vị: chỉ nhận các đơn vị thuộc đơn vị này")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu")
        parser.add_argument("--valid-only", action="store_true", help="lưu các dòng hợp lệ, bỏ qua dòng lỗi")
        parser.add_argument("--user", default="", help="e-mail hoặc số điện thoại của cán bộ nhập (entered_by)")
        parser.add_argument("--result", default="", help="ghi tệp kết quả (có cột lỗi) vào đường dẫn này")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        programme = Programme.objects.filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(f"Không có chương trình {options['programme']}")
        unit = Unit.objects.by_code(options["unit"])
        if unit is None:
            raise CommandError(f"Không có đơn vị {options['unit']}")
        actor = self._user(options["user"])
        try:
            with path.open("rb") as fh:
                job = services.create_import_job(upload=fh, name=path.name, programme=programme, unit=unit,
                                                 actor=actor, source="command")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        job = services.check_job(job.pk)
        mode = SaveMode.VALID_ONLY if options["valid_only"] else SaveMode.ALL_OR_NOTHING
        if not options["dry_run"] and job.status == JobStatus.CHECKED:
            if job.rows_invalid and mode == SaveMode.ALL_OR_NOTHING:
                services.cancel_job(job=job, actor=actor)
            else:
                job = services.confirm_job(job=job, mode=mode, actor=actor)
                job = services.save_job(job.pk, actor=actor)
        elif options["dry_run"] and job.status == JobStatus.CHECKED:
            services.cancel_job(job=job, actor=actor)
        job.refresh_from_db()
        if options["result"] and job.result_file:
            with job.result_file.open("rb") as src, Path(options["result"]).open("wb") as dst:
                shutil.copyfileobj(src, dst)
        report = self._report(job, path, options, mode)
        if options["dry_run"] and job.status == JobStatus.CANCELLED:
            report["status"] = JobStatus.CHECKED
        elif job.status == JobStatus.CANCELLED:
            report["message"] = ("Tệp còn dòng lỗi nên không lưu dòng nào "
                                 "(dùng --valid-only để lưu các dòng hợp lệ).")
        elif job.status == JobStatus.HELD:
            report["message"] = ("Số liệu lớn hơn mức hợp lý với đơn vị nên lần nhập chờ cán bộ cấp trên xác nhận "
                                 f"trên trang lần nhập: {holds.describe(job)}.")
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"{report['rows_read']} dòng: đã lưu {report['saved']}, đã có {report['already_saved']}, "
                f"lỗi {report['rejected']} — {report['status']}")
            for item in report["rejected_rows"]:
                self.stdout.write(f"  dòng {item['row']}: " + "; ".join(item["reasons"]))
            if report["message"]:
                self.stdout.write(report["message"])
        ok = report["rejected"] == 0 and job.status in (JobStatus.SAVED, JobStatus.CANCELLED) and (
            options["dry_run"] or job.status == JobStatus.SAVED)
        if not ok:
            raise SystemExit(1)

    def _user(self, login: str) -> User | None:
        if not login:
            return None
        from sangkien.core.phone import PhoneError, normalise_phone

        user = User.objects.filter(email__iexact=login).first()
        if user is None:
            try:
                user = User.objects.filter(phone=normalise_phone(login)).first()
            except PhoneError:
                user = None
        if user is None:
            raise CommandError(f"Không có người dùng {login}")
        return user

    def _report(self, job: Any, path: Path, options: dict[str, Any], mode: str) -> dict[str, Any]:
        report = job.report or {}
        rejected_rows = []
        for item in report.get("errors", []):
            reasons = []
            for cell in item["cells"]:
                column = BY_KEY.get(cell["column"])
                reasons.append(f"{column.title()}: {cell['message']}" if column else cell["message"])
            rejected_rows.append({"row": item["row"], "reasons": reasons})
        return {
            "file": str(path), "sha256": job.file_sha256, "programme": job.programme.slug, "unit": job.unit.code,
            "job": job.pk, "dry_run": bool(options["dry_run"]), "mode": mode, "status": job.status,
            "rows_read": job.rows_total, "saved": job.rows_saved, "already_saved": job.rows_existing,
            "rejected": job.rows_invalid, "rejected_rows": rejected_rows,
            "result_file": options["result"] or None, "message": report.get("file_error") or job.message or "",
        }

"""Scenario ``open-demo``: a programme open now, so a newcomer can submit.

"Sáng kiến {year}" (slug ``sang-kien-demo``) opens today 00:00 local and
closes in 60 days; effect window: this year.  Units are whatever tree is
loaded (the national tree in ``make run``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from sangkien.core.clock import local_now, start_of_day
from sangkien.demo.building import ensure_root
from sangkien.programmes.models import Phase, Programme

SLUG = "sang-kien-demo"


@transaction.atomic
def load() -> dict[str, Any]:
    """Create or re-open the demo programme (idempotent)."""
    today = local_now().date()
    programme, _created = Programme.objects.get_or_create(
        slug=SLUG,
        defaults={"name": f"Sáng kiến vượt khó, phát triển {today.year} (dùng thử)",
                  "organiser": ensure_root(),
                  "description": "Chương trình mở để dùng thử: gửi sáng kiến, theo dõi, xét duyệt."},
    )
    phase = programme.phases.order_by("-number").first()
    if phase is None or phase.submission_end <= start_of_day(today):
        Phase.objects.update_or_create(
            programme=programme, number=1,
            defaults={"name": "Giai đoạn dùng thử", "submission_start": start_of_day(today),
                      "submission_end": start_of_day(today + dt.timedelta(days=60)),
                      "effect_start": dt.date(today.year - 1, 1, 1), "effect_end": dt.date(today.year, 12, 31)},
        )
    return {"programme": SLUG}

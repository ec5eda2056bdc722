"""The one clock of the platform.

Every check that depends on the time of day (is a submission window open?)
calls :func:`now`; tests move it with ``time_machine``.  Never call
``datetime.now()`` elsewhere.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    """Return the current instant as an aware datetime (UTC)."""
    return timezone.now()


def local_now() -> dt.datetime:
    """Return the current instant in Asia/Ho_Chi_Minh local time."""
    return now().astimezone(LOCAL_TZ)


def local_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """Build an aware datetime in Asia/Ho_Chi_Minh local time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)


def end_of_day(day: dt.date) -> dt.datetime:
    """Return the instant a local day ends: "24:00 on ``day``" = 00:00 the next day (local)."""
    nxt = day + dt.timedelta(days=1)
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=LOCAL_TZ)


def start_of_day(day: dt.date) -> dt.datetime:
    """Return 00:00 local time on ``day`` as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)

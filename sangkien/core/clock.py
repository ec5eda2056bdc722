"""The one clock of the platform.

Every check that depends on the time of day (is a submission window open?)
calls :func:`now`; tests move it with ``time_machine``.  Never call
``datetime.now()`` elsewhere.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext

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


def format_deadline(value: dt.datetime | None) -> str:
    """The end instant of a window as the letters write it, in local time.

    An end at local midnight is the end of the previous day: 2027-01-29 00:00
    (Asia/Ho_Chi_Minh) → "24h ngày 28/01/2027" (vi) / "24:00 on 28/01/2027"
    (en), as the letters say "sau 24h00 ngày 20/4/2021" (seed letters, 2021).
    Any other instant → "17:30 ngày 28/01/2027" / "17:30 on 28/01/2027".
    Empty for None.
    """
    if value is None or value == "":
        return ""
    local = value.astimezone(LOCAL_TZ)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        day = local.date() - dt.timedelta(days=1)
        return gettext("24h ngày %(date)s") % {"date": day.strftime("%d/%m/%Y")}
    return gettext("%(time)s ngày %(date)s") % {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}

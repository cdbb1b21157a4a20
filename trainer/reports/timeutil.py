"""China time for the reports (no streamlit here): week boundaries and the display zone."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo


def china_tz() -> ZoneInfo:
    """The zone times are shown in (``TRAINER_TZ``, default Asia/Shanghai)."""
    return ZoneInfo(os.environ.get("TRAINER_TZ", "Asia/Shanghai"))


def week_starts(now: dt.datetime, weeks: int) -> list[dt.datetime]:
    """The UTC instants of the last ``weeks`` Mondays 00:00 China time, oldest first; the
    last one starts the current week."""
    local = now.astimezone(china_tz())
    monday = (local - dt.timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [(monday - dt.timedelta(weeks=weeks - 1 - i)).astimezone(dt.UTC) for i in range(weeks)]


def local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(china_tz()).date()

"""Time is a parameter: every function of the learning engine takes an aware UTC datetime."""

from __future__ import annotations

import datetime as dt


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was passed where aware UTC is required."""


def utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` in UTC; refuse naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(
            f"需要带时区的时间（UTC），收到的是无时区时间 {moment.isoformat()}"
        )
    return moment.astimezone(dt.UTC)

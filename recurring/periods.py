"""Period arithmetic of recurring invoices: anchored on the start date, never drifting."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

ONE_DAY = datetime.timedelta(days=1)


def period_start(start: datetime.date, interval_months: int, sequence: int) -> datetime.date:
    """The first day of period ``sequence`` (0-based): start + sequence × interval months.

    Always counted from ``start``: 31 Jan + 1 month = 28/29 Feb, + 2 months = 31 Mar.
    """
    return start + relativedelta(months=sequence * interval_months)


def period(
    start: datetime.date, interval_months: int, sequence: int
) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of period ``sequence``: the last day is the day before the next
    period starts."""
    return (
        period_start(start, interval_months, sequence),
        period_start(start, interval_months, sequence + 1) - ONE_DAY,
    )


def is_within(
    *,
    sequence: int,
    first_day: datetime.date,
    end_date: datetime.date | None,
    max_count: int | None,
) -> bool:
    """Whether period ``sequence`` starting on ``first_day`` belongs to the template:
    fewer than ``max_count`` periods before it, and it starts on or before ``end_date``."""
    if max_count is not None and sequence >= max_count:
        return False
    return end_date is None or first_day <= end_date

"""Calendar arithmetic: the one place months and years are added to a date.

``dateutil.relativedelta`` counts from the original date, so the answer never depends on
how the steps are split: 31 January + 2 months is 31 March (not 28 March, which repeated
one-month steps would give), and 29 February + 1 year is 28 February.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (earlier when negative); the month's last day where
    that month has fewer days."""
    return day + relativedelta(months=months)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (earlier when negative); 29 February becomes 28 February
    in a year without it."""
    return day + relativedelta(years=years)

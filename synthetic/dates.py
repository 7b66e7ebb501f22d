"""The generator's run of months and the date helpers its tables need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.period import Period


@dataclass(frozen=True)
class Month:
    """The `index`-th month of a generated run: random streams are keyed by the index."""

    index: int
    year: int
    month: int

    @property
    def period(self) -> Period:
        """The reporting month itself."""
        return Period(self.year, self.month)

    @property
    def label(self) -> str:
        """The period as it appears in IDENTITAS and file names, e.g. '2025-03'."""
        return str(self.period)

    @property
    def start(self) -> dt.date:
        """First day of the month."""
        return self.period.start

    @property
    def end(self) -> dt.date:
        """Last day of the month."""
        return self.period.end

    @property
    def days(self) -> int:
        """Number of days in the month."""
        return self.period.days


def run_months(start: str, months: int) -> list[Month]:
    """`months` consecutive reporting months beginning at `start` ('YYYY-MM')."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    first = Period.parse(start.strip())
    last = first.shift(months - 1)
    return [Month(i, p.year, p.month) for i, p in enumerate(Period.range(first, last))]


def excel_serial(value: dt.date) -> int:
    """Excel's 1900-system serial number of a date (what some senders store)."""
    return (value - dt.date(1899, 12, 30)).days


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day `years` later (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))

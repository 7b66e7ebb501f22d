"""Reporting periods and Jakarta time: the one home for month arithmetic, bounds and deadlines.

A monthly report belongs to a `Period` ('YYYY-MM'); an annual plan to a year ('YYYY'). Every
deadline and "today" is a calendar day in Asia/Jakarta (WIB, UTC+7, no daylight saving), while
warehouse timestamps are naive UTC. Labels stay strings at module boundaries (tables, files,
URLs); parse them here, compute here, and turn them back into labels with `str()`.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from core.settings import TIMEZONE

# The one form of a reporting month; use `.fullmatch` (`$` alone lets a trailing newline in).
PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# An annual plan's period, and any other four-digit year a command takes.
YEAR_PATTERN = re.compile(r"^\d{4}$")
# Asia/Jakarta has kept UTC+7 since 1964 and has no daylight saving, so naive-UTC warehouse
# timestamps become Jakarta wall-clock time by adding this (SQL does the same: `+ interval 7
# hour`). tests/core/test_period.py holds it equal to the tz database.
JAKARTA_UTC_OFFSET = dt.timedelta(hours=7)
JAKARTA = dt.timezone(JAKARTA_UTC_OFFSET)


class PeriodError(ValueError):
    """A text is not a reporting period; the message shows the expected form."""


class DeadlineRule(Protocol):
    """The deadline columns of the report calendar seed (core.reference.ReportCalendar)."""

    @property
    def deadline_months_after_period_start(self) -> int:
        """Months from the period's first month to the deadline's month."""
        ...

    @property
    def deadline_day(self) -> int:
        """Day of that month (clamped to its last day)."""
        ...


@dataclass(frozen=True, order=True)
class Period:
    """One reporting month; ordered by time, printed as 'YYYY-MM'."""

    year: int
    month: int

    def __post_init__(self) -> None:
        """Refuse impossible months early, so every Period has valid bounds."""
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise PeriodError(f"no such month: year {self.year}, month {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Strict 'YYYY-MM' (e.g. '2025-03'); PeriodError otherwise. Callers strip input."""
        match = PERIOD_PATTERN.fullmatch(text)
        if not match:
            raise PeriodError(f"{text!r} is not a month in the form YYYY-MM (e.g. 2025-03)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month containing `day`."""
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Period:
        """Inverse of `index`."""
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @classmethod
    def range(cls, first: Period, last: Period) -> tuple[Period, ...]:
        """Every month from `first` to `last`, both included (empty when last < first)."""
        return tuple(cls.from_index(i) for i in range(first.index, last.index + 1))

    def __str__(self) -> str:
        """The label used in IDENTITAS, file names, tables and URLs."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0: differences are month counts."""
        return self.year * 12 + self.month - 1

    @property
    def start(self) -> dt.date:
        """First day of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the month."""
        return dt.date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        """Number of days in the month."""
        return monthrange(self.year, self.month)[1]

    def shift(self, months: int) -> Period:
        """This month moved by `months` (negative = earlier)."""
        return Period.from_index(self.index + months)

    def deadline(self, rule: DeadlineRule) -> dt.date:
        """Last on-time day (Jakarta) of this month's report under the calendar's rule."""
        return due_date(self.start, rule.deadline_months_after_period_start, rule.deadline_day)


def due_date(period_start: dt.date, months_after: int, day: int) -> dt.date:
    """Deadline by the calendar seed's rule, clamped to the due month's last day.

    Day `day` of the month `months_after` months after the period's first month; 31 in a
    30-day month means the 30th.
    """
    due_month = Period.of(period_start).shift(months_after)
    return due_month.start.replace(day=min(day, due_month.days))


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a monthly ('YYYY-MM') or annual ('YYYY') period label."""
    if YEAR_PATTERN.fullmatch(label):
        year = int(label)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    period = Period.parse(label)
    return period.start, period.end


def shift_month(label: str, months: int) -> str:
    """'2025-01' shifted by -1 -> '2024-12'."""
    return str(Period.parse(label).shift(months))


def previous_month(label: str) -> str:
    """The month before `label`."""
    return shift_month(label, -1)


def month_range(first: str, last: str) -> list[str]:
    """Labels of every month from `first` to `last`, both included."""
    return [str(p) for p in Period.range(Period.parse(first), Period.parse(last))]


def window_months(label: str, size: int = 12) -> tuple[str, ...]:
    """The `size` months ending with `label`, oldest first (trend and heatmap columns)."""
    end = Period.parse(label)
    return tuple(str(end.shift(-offset)) for offset in range(size - 1, -1, -1))


def compress_months(months: list[str]) -> list[str]:
    """['2024-05', '2024-06', '2024-07', '2025-01'] -> ['2024-05…2024-07', '2025-01'].

    Runs of three or more consecutive months become one 'first…last' item; shorter runs stay.
    """
    out: list[str] = []
    run: list[str] = []
    for month in sorted(months):
        if run and shift_month(run[-1], 1) != month:
            out.extend([f"{run[0]}…{run[-1]}"] if len(run) >= 3 else run)
            run = []
        run.append(month)
    if run:
        out.extend([f"{run[0]}…{run[-1]}"] if len(run) >= 3 else run)
    return out


def window_start(day: dt.date, months: int) -> Period:
    """First month of the judging window: `months` months ending with the one containing `day`.

    The quality checks judge these months, and the nightly's dbt tests re-read at least them.
    """
    return Period.of(day).shift(-(max(months, 1) - 1))


def jakarta_today(now: dt.datetime | None = None) -> dt.date:
    """Today in Asia/Jakarta: a run just after midnight there must see the new day.

    `now` (aware) replaces the clock in tests and replays.
    """
    zone = ZoneInfo(TIMEZONE)
    return (now or dt.datetime.now(zone)).astimezone(zone).date()


def jakarta_time(utc_naive: dt.datetime) -> dt.datetime:
    """Jakarta wall-clock time (naive, WIB) of a naive-UTC warehouse timestamp."""
    return utc_naive + JAKARTA_UTC_OFFSET


def jakarta_date(utc_naive: dt.datetime) -> dt.date:
    """Jakarta calendar day of a naive-UTC warehouse timestamp (deadlines are Jakarta days)."""
    return jakarta_time(utc_naive).date()


def utc_now() -> dt.datetime:
    """Now as a naive-UTC timestamp: how the ledger, findings and outbox store moments."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)

"""Reporting months and deterministic random streams shared by the generator modules."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import numpy as np

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Month:
    """One reporting month with its first and last day."""

    index: int
    year: int
    month: int

    @property
    def label(self) -> str:
        """The period as it appears in IDENTITAS and file names, e.g. '2025-03'."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.date:
        """First day of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the month."""
        nxt = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        """Number of days in the month."""
        return self.end.day


def parse_start(start: str) -> tuple[int, int]:
    """'YYYY-MM' -> (year, month); ValueError with the expected form otherwise."""
    match = PERIOD_RE.match(start.strip())
    if not match:
        raise ValueError(f"start {start!r} is not a month in the form YYYY-MM (e.g. 2025-03)")
    return int(match.group(1)), int(match.group(2))


def month_range(start: str, months: int) -> list[Month]:
    """`months` consecutive reporting months beginning at `start`."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    year, month = parse_start(start)
    out = []
    for i in range(months):
        k = month - 1 + i
        out.append(Month(i, year + k // 12, k % 12 + 1))
    return out


def _key(part: object) -> int:
    # crc32, not hash(): Python salts str hashes per process, which would break determinism.
    if isinstance(part, int):
        return part
    return zlib.crc32(str(part).encode("utf-8"))


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A random stream fixed by (seed, keys), e.g. (seed, 'BP3501', 'activities', 3).

    Streams are keyed per Bapas so a `--bapas N` subset produces the same data for the
    offices it keeps as the national run does.
    """
    return np.random.default_rng(np.random.SeedSequence([seed, *(_key(k) for k in keys)]))


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

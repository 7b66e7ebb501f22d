"""What one check run covers: the as-of date, the periods and (optionally) a subset of Bapas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

JAKARTA_OFFSET = dt.timedelta(hours=7)


def month_start(periode: str) -> dt.date:
    """'2025-03' -> 2025-03-01."""
    year, month = periode.split("-")
    return dt.date(int(year), int(month), 1)


def month_end(periode: str) -> dt.date:
    """Last day of the month."""
    start = month_start(periode)
    nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def shift_month(periode: str, months: int) -> str:
    """'2025-01' shifted by -1 -> '2024-12'."""
    start = month_start(periode)
    index = start.year * 12 + start.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Inclusive list of months from first to last."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = shift_month(current, 1)
    return out


def jakarta_today() -> dt.date:
    """Today's date in Asia/Jakarta (UTC+7, no daylight saving)."""
    return (dt.datetime.now(dt.UTC) + JAKARTA_OFFSET).date()


@dataclass(frozen=True)
class CheckScope:
    """Months checked, plan years derived from them, and the as-of date of the register."""

    as_of: dt.date
    months: tuple[str, ...]
    bapas: frozenset[str] | None = None

    @property
    def years(self) -> tuple[str, ...]:
        """Plan years touched by the months."""
        return tuple(sorted({m[:4] for m in self.months}))

    @property
    def periods(self) -> tuple[str, ...]:
        """Months and years: the values of quality.findings.periode this run is responsible for."""
        return (*self.months, *self.years)

    def includes(self, kode_bapas: str | None) -> bool:
        """True when the Bapas is inside the run's Bapas filter (or there is none)."""
        return self.bapas is None or kode_bapas in self.bapas


def build_scope(
    as_of: dt.date | None,
    months: list[str] | None,
    window_months: int,
    bapas: frozenset[str] | None = None,
) -> CheckScope:
    """Explicit months, or the `window_months` months up to the one containing `as_of`."""
    if as_of is None:
        from quality.config import judging_day  # the one resolver of the judging day

        as_of = judging_day()
    day = as_of
    if months:
        return CheckScope(day, tuple(sorted(set(months))), bapas)
    last = f"{day.year:04d}-{day.month:02d}"
    first = shift_month(last, -(max(window_months, 1) - 1))
    return CheckScope(day, tuple(month_range(first, last)), bapas)


def register_scope(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> None:
    """Temp table q_scope(periode) read by the SQL rules and the findings reconciliation."""
    con.execute("create or replace temp table q_scope (periode varchar)")
    con.executemany("insert into q_scope values (?)", [[p] for p in scope.periods])

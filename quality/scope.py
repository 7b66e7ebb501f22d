"""What one check run covers: the as-of date, the periods and (optionally) a subset of Bapas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from core.period import Period, window_start


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
    first = window_start(day, window_months)
    return CheckScope(day, tuple(str(p) for p in Period.range(first, Period.of(day))), bapas)


def register_scope(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> None:
    """Temp table q_scope(periode) read by the SQL rules and the findings reconciliation."""
    con.execute("create or replace temp table q_scope (periode varchar)")
    con.executemany("insert into q_scope values (?)", [[p] for p in scope.periods])

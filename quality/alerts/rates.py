"""Reporting and on-time rates, trend series and the status matrix behind the heatmap.

The rates count the register's `counts_as_*` columns (quality/indicators.py decides them once;
doc `ind_reporting_rate`), so the digest equals `lipas check` and mart_submission_compliance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from quality.alerts.directory import Directory
from quality.alerts.model import StatusRow

HEATMAP_STATUSES = ("on_time", "late", "rejected", "missing", "not_yet_due", "not_owed")


@dataclass(frozen=True)
class RateRow:
    """Expected, reported and on-time counts of one group for one period."""

    kode: str
    name: str
    expected: int
    reported: int
    on_time: int

    @property
    def reporting_rate(self) -> float | None:
        """Reported / expected (DHIS2 reporting rate); None when nothing was owed."""
        return self.reported / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """Reported by the deadline / expected."""
        return self.on_time / self.expected if self.expected else None


@dataclass(frozen=True)
class TrendPoint:
    """National rates of one month."""

    period: str
    reporting_rate: float | None
    on_time_rate: float | None


@dataclass(frozen=True)
class HeatmapData:
    """Status of every (Bapas, month); rows sorted by Kanwil then Bapas."""

    months: tuple[str, ...]
    bapas: tuple[str, ...]
    bapas_labels: tuple[str, ...]
    kanwil: tuple[str, ...]
    kanwil_labels: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]


def rate_of(rows: Iterable[StatusRow], kode: str, name: str) -> RateRow:
    """Count the rows that count as expected / reported / on time."""
    items = [r for r in rows if r.counts_as_expected]
    return RateRow(
        kode=kode,
        name=name,
        expected=len(items),
        reported=sum(r.counts_as_reported for r in items),
        on_time=sum(r.counts_as_on_time for r in items),
    )


def monthly_rows(status: Iterable[StatusRow], period: str) -> list[StatusRow]:
    """The monthly-report rows of one period."""
    return [r for r in status if r.report_kind == "monthly" and r.period == period]


def rates_by(
    rows: list[StatusRow], key: Callable[[StatusRow], str], name: Callable[[str], str]
) -> list[RateRow]:
    """One RateRow per group, sorted by code."""
    groups: dict[str, list[StatusRow]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [rate_of(groups[k], k, name(k)) for k in sorted(groups)]


def trend(status: Iterable[StatusRow], months: tuple[str, ...]) -> tuple[TrendPoint, ...]:
    """National monthly-report rates per month of the window."""
    items = list(status)
    points = []
    for month in months:
        rate = rate_of(monthly_rows(items, month), "", "")
        points.append(TrendPoint(month, rate.reporting_rate, rate.on_time_rate))
    return tuple(points)


def heatmap(
    status: Iterable[StatusRow], months: tuple[str, ...], directory: Directory
) -> HeatmapData:
    """Bapas x month matrix of monthly-report statuses ('not_owed' where nothing was due)."""
    cell: dict[tuple[str, str], str] = {}
    kanwil_of: dict[str, str] = {}
    for row in status:
        if row.report_kind == "monthly" and row.period in months:
            cell[(row.kode_bapas, row.period)] = row.status
            kanwil_of[row.kode_bapas] = row.kode_kanwil
    bapas = tuple(sorted(kanwil_of, key=lambda b: (kanwil_of[b], b)))
    return HeatmapData(
        months=months,
        bapas=bapas,
        bapas_labels=tuple(_short_bapas(directory.bapas_name(b)) for b in bapas),
        kanwil=tuple(kanwil_of[b] for b in bapas),
        kanwil_labels=tuple(directory.kanwil_name(kanwil_of[b]) for b in bapas),
        cells=tuple(tuple(cell.get((b, m), "not_owed") for m in months) for b in bapas),
    )


def _short_bapas(name: str) -> str:
    """'Bapas Kelas I Medan' -> 'Medan': chart labels must stay short."""
    for prefix in ("Bapas Kelas IIA ", "Bapas Kelas II ", "Bapas Kelas I ", "Bapas "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name

"""The page model of the site: rows of mart cells, each with its reporting completeness."""

from __future__ import annotations

from dataclasses import dataclass, field

from publishing.site.data import Area, Cell, Marts


@dataclass(frozen=True)
class Completeness:
    """How complete the reports behind a figure are: reporting rate of that place and period."""

    rate: Cell
    received: Cell
    expected: Cell


@dataclass(frozen=True)
class Row:
    """A labelled row of cells (a need, a funding source, a participation group, an office)."""

    code: str
    label: str
    cells: dict[str, Cell]
    href: str | None = None
    completeness: Completeness | None = None


@dataclass
class Page:
    """Everything one page shows."""

    area: Area
    path: str
    month: str | None
    year: str | None
    months: list[str]
    month_completeness: Completeness | None = None
    year_completeness: Completeness | None = None
    plan_completeness: Completeness | None = None
    reach: dict[str, Cell] = field(default_factory=dict)
    needs: list[Row] = field(default_factory=list)
    unmet: list[Row] = field(default_factory=list)
    funding: list[Row] = field(default_factory=list)
    funding_trend: dict[str, list[Cell]] = field(default_factory=dict)
    reach_trend: list[Cell] = field(default_factory=list)
    reporting_trend: list[Cell] = field(default_factory=list)
    plan: list[Row] = field(default_factory=list)
    without_plan: list[Row] = field(default_factory=list)
    pokmas: dict[str, Cell] = field(default_factory=dict)
    griya: dict[str, Cell] = field(default_factory=dict)
    griya_offices: list[Row] = field(default_factory=list)
    outcomes: list[Row] = field(default_factory=list)
    ranking: list[Row] = field(default_factory=list)
    silent: list[Row] = field(default_factory=list)
    ranking_trend: dict[str, list[Cell]] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)


def page_path(area: Area) -> str:
    """Where an area's page lives inside the site folder."""
    if area.level == "national":
        return "index.html"
    return f"{area.level}/{area.code}.html"


def completeness(
    marts: Marts, area: Area, grain: str, period: str, kind: str = "monthly"
) -> Completeness:
    """The reporting rate (reported / expected reports) of an area and period.

    `received` shows the rate's own numerator (reported_reports: an accepted version exists),
    so "laporan masuk X (a dari b)" adds up (issue 13).
    """
    mart = "mart_submission_compliance"
    return Completeness(
        rate=marts.cell(mart, "reporting_rate", area, grain, period, kind),
        received=marts.cell(mart, "reported_reports", area, grain, period, kind),
        expected=marts.cell(mart, "expected_reports", area, grain, period, kind),
    )

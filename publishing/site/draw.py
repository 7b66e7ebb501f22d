"""Which charts each page gets, and drawing them before the pages are rendered.

Charts are drawn only where there is something to show (a silent office gets none). They were
~98% of a site build while matplotlib drew them (issue 16: ~50 s of CPU for ~375 PNGs, drawn by
a process pool); as hand-written SVG (`svg.py`) the whole set takes well under a second, so they
are drawn in-process, one after another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publishing.site import charts
from publishing.site.model import Page


@dataclass(frozen=True)
class ChartJob:
    """One chart to draw: which page and slot it fills, the drawing function and its inputs."""

    page: int
    slot: str
    draw: Callable[..., Path]
    args: tuple[Any, ...]


def chart_jobs(index: int, page: Page, out: Path) -> list[ChartJob]:
    """The charts of one page, only where there is something to draw (a silent office: none)."""
    stem = out / f"img/{page.area.level}_{page.area.code}"
    jobs: list[ChartJob] = []
    if any(r.cells["clients_with_need"].value for r in page.needs):
        labels = [r.label for r in page.needs]
        with_need = [r.cells["clients_with_need"] for r in page.needs]
        reached = [r.cells["clients_need_addressed"] for r in page.needs]
        path = Path(f"{stem}_kebutuhan.svg")
        jobs.append(
            ChartJob(index, "coverage", charts.coverage_chart, (path, labels, with_need, reached))
        )
    # An office that never reported gets no trend picture: its 0% reporting rate is in the text.
    if any(c.value is not None for c in page.reach_trend):
        series = {"Jangkauan klien": page.reach_trend, "Tingkat pelaporan": page.reporting_trend}
        path = Path(f"{stem}_tren.svg")
        jobs.append(ChartJob(index, "trend", charts.trend_chart, (path, page.months, series)))
    if any(c.value for cells in page.funding_trend.values() for c in cells):
        path = Path(f"{stem}_dana.svg")
        args = (path, page.months, page.funding_trend)
        jobs.append(ChartJob(index, "funding", charts.funding_chart, args))
    # No months (a build before any check wrote the register) means no axis to draw on.
    if len(page.ranking_trend) > 1 and page.months:
        path = Path(f"{stem}_perbandingan.svg")
        args = (path, page.months, page.ranking_trend)
        jobs.append(ChartJob(index, "multiples", charts.small_multiples, args))
    return jobs


def draw_charts(pages: Sequence[Page], out: Path) -> int:
    """Draw the charts of every page and record their paths (relative to `out`) on the pages.

    Returns the number of charts drawn.
    """
    jobs = [job for index, page in enumerate(pages) for job in chart_jobs(index, page, out)]
    for job in jobs:
        path = job.draw(*job.args)
        pages[job.page].charts[job.slot] = path.relative_to(out).as_posix()
    return len(jobs)

"""Draw every chart of a site, spread over a few processes, before the pages are rendered.

Charts are ~98% of a site build (issue 16: ~375 PNGs for the 116 pages of a national site,
~50 s of CPU, all in matplotlib's drawing). Each chart is independent of the others, so they
are drawn by a small process pool and the pages rendered afterwards with their paths.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publishing.site import charts
from publishing.site.model import Page

# Below this many charts a pool costs more than it saves (each worker imports matplotlib).
MIN_PARALLEL_CHARTS = 24
MAX_WORKERS = 4


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
        path = Path(f"{stem}_kebutuhan.png")
        jobs.append(
            ChartJob(index, "coverage", charts.coverage_chart, (path, labels, with_need, reached))
        )
    # An office that never reported gets no trend picture: its 0% reporting rate is in the text.
    if any(c.value is not None for c in page.reach_trend):
        series = {"Jangkauan klien": page.reach_trend, "Tingkat pelaporan": page.reporting_trend}
        path = Path(f"{stem}_tren.png")
        jobs.append(ChartJob(index, "trend", charts.trend_chart, (path, page.months, series)))
    if any(c.value for cells in page.funding_trend.values() for c in cells):
        path = Path(f"{stem}_dana.png")
        args = (path, page.months, page.funding_trend)
        jobs.append(ChartJob(index, "funding", charts.funding_chart, args))
    # No months (a build before any check wrote the register) means no axis to draw on.
    if len(page.ranking_trend) > 1 and page.months:
        path = Path(f"{stem}_perbandingan.png")
        args = (path, page.months, page.ranking_trend)
        jobs.append(ChartJob(index, "multiples", charts.small_multiples, args))
    return jobs


def default_workers() -> int:
    """Worker processes for a site's charts: the CPUs, at most MAX_WORKERS."""
    return min(MAX_WORKERS, os.cpu_count() or 1)


def draw_charts(pages: Sequence[Page], out: Path, workers: int | None = None) -> int:
    """Draw the charts of every page and record their paths (relative to `out`) on the pages.

    `workers` defaults to the CPU count (at most MAX_WORKERS); a small site draws in-process.
    Returns the number of charts drawn.
    """
    jobs = [job for index, page in enumerate(pages) for job in chart_jobs(index, page, out)]
    count = workers if workers is not None else default_workers()
    if count <= 1 or len(jobs) < MIN_PARALLEL_CHARTS:
        paths = [job.draw(*job.args) for job in jobs]
    else:
        # spawn, not fork: the caller may be a threaded Dagster or benchmark process.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            futures = [pool.submit(job.draw, *job.args) for job in jobs]
            paths = [future.result() for future in futures]
    for job, path in zip(jobs, paths, strict=True):
        pages[job.page].charts[job.slot] = path.relative_to(out).as_posix()
    return len(jobs)

"""Timing one step of the scale simulation, shared by its DuckDB and PostgreSQL halves."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from benchmarks.bench_ingest import PeakRss


class StepFigures(Protocol):
    """Where `measure` writes: seconds, CPU seconds and peak RSS (MB) per step."""

    seconds: dict[str, float]
    cpu: dict[str, float]
    rss_mb: dict[str, float]


@dataclass
class Figures:
    """StepFigures plus the PostgreSQL server's own peak PSS (MB) per step."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    server_mb: dict[str, float] = field(default_factory=dict)


def measure(
    figures: StepFigures, step: str, fn: Callable[[], object], meter: PeakRss | None = None
) -> None:
    """Time one step; a failing step is printed and recorded as NaN, and the others still run."""
    meter = meter or PeakRss()
    with meter:
        began = time.perf_counter()
        try:
            fn()
        except Exception as exc:
            print(f"    {step:<10} FAILED: {type(exc).__name__}: {str(exc)[-3000:]}", flush=True)
            figures.seconds[step] = figures.cpu[step] = figures.rss_mb[step] = math.nan
            return
        seconds = time.perf_counter() - began
    figures.seconds[step], figures.cpu[step] = seconds, meter.cpu_seconds
    figures.rss_mb[step] = meter.peak / 2**20
    server = getattr(meter, "server_peak", None)
    extra = ""
    if server is not None and isinstance(figures, Figures):
        figures.server_mb[step] = server / 2**20
        extra = f" (server {server / 2**20:,.0f} MB)"
    print(f"    {step:<10} {seconds:8.1f} s wall {meter.cpu_seconds:8.1f} s CPU  "
          f"peak RSS {meter.peak / 2**20:7,.0f} MB{extra}", flush=True)  # fmt: skip


def slowest_nodes(target: str | None = None, count: int = 6) -> list[tuple[str, float]]:
    """The dbt nodes of the last run on `target` that took longest (from run_results.json)."""
    from core.settings import load_settings
    from orchestration.dbt_invocation import dbt_target_path

    results = dbt_target_path(load_settings(), target) / "run_results.json"
    if not results.exists():
        return []
    rows = json.loads(results.read_text(encoding="utf-8")).get("results", [])
    timed = [(str(r["unique_id"]).split(".", 2)[-1], float(r["execution_time"])) for r in rows]
    return sorted(timed, key=lambda t: -t[1])[:count]


def dbt_build_step(
    day: dt.date, *, full_refresh: bool, target: str | None = None
) -> Callable[[], object]:
    """One dbt build as the nightly runs it, on `target` (default: the settings' target).

    The full build tests everything. The +1 month build is an ordinary night's
    (orchestration/defs/dbt_assets.py): data tests scoped to the judging window by
    LIPAS_DBT_TEST_SINCE, unit tests left for nights the models change. Before, this step ran
    a plain `dbt build`, which tests the whole history: no night runs that.
    """
    from core.period import window_start
    from core.settings import load_settings
    from orchestration.dbt_invocation import (
        NIGHTLY_EXCLUDES,
        TEST_SINCE_ENV,
        dbt_command,
        dbt_env,
        run_dbt,
        use_full_refresh_memory,
    )
    from quality.config import load_quality_config

    def build() -> object:
        settings = load_settings()
        env = dbt_env(settings, target=target, as_of_date=day)
        extra: tuple[str, ...] = ()
        if full_refresh:
            use_full_refresh_memory(env)
        else:
            window = load_quality_config(home=settings.home).window_months
            env[TEST_SINCE_ENV] = window_start(day, window).start.isoformat()
            extra = NIGHTLY_EXCLUDES
        command = dbt_command("build", full_refresh=full_refresh, extra_args=extra)
        result = run_dbt(command, env)
        if not result.success:
            failed = "\n".join(result.failures) or result.output[-3000:]
            raise RuntimeError(f"dbt build ({env['LIPAS_DBT_TARGET']}) failed:\n{failed}")
        return result

    return build

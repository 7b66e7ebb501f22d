"""Nightly run benchmark: one new national month on top of a multi-month national history,
through Dagster and through the same steps called directly in one process (the baseline,
measured in the same run: Dagster's overhead is the ratio), each with its peak RSS.

Usage: python benchmarks/bench_nightly.py [--scale 1.0] [--months 36] [--bapas 0] [--workdir DIR]
Targets (issue 16): the new month under 60 s end to end on three years of national history,
peak RSS (all processes) under 1.5 GB, Dagster overhead under 1.2x of the direct steps.
Each copied home first gets one untimed `dbt parse`, as the previous night left it: a real home
keeps its dbt parse state between nights, a copy at another path would re-parse in full.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.settings import Settings, load_settings
from orchestration.dbt_invocation import DbtResult, use_bytecode_cache
from synthetic.dates import run_months
from synthetic.deliver import deliver
from synthetic.generate import generate


class PeakRss:
    """Samples the RSS of this process and all its children (dbt runs as a subprocess)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def lipas_home(home: Path, as_of: str) -> Iterator[Settings]:
    """Point the process at one LIPAS_HOME (settings are read from the environment)."""
    old = dict(os.environ)
    os.environ.update({"LIPAS_HOME": str(home), "LIPAS_AS_OF": as_of, "LIPAS_ENV": "dev"})
    # Both paths' dbt processes keep bytecode as `lipas` gives its own dbt (dagster-dbt takes
    # os.environ), so the ratio measures Dagster, not a difference in dbt's start-up.
    use_bytecode_cache(os.environ)
    try:
        settings = load_settings()
        settings.ensure_dirs()
        yield settings
    finally:
        os.environ.clear()
        os.environ.update(old)


def direct_steps(settings: Settings, period: str, as_of: str) -> dict[str, Callable[[], object]]:
    """The nightly steps as plain calls, in the order the Dagster job runs them."""
    import datetime as dt

    from ingestion.pipeline import ingest_landing
    from orchestration.dbt_invocation import dbt_command, dbt_env, run_dbt
    from publishing.snapshot import publish_snapshot
    from publishing.suppression import nightly_external_threshold
    from quality.alerts import run_report
    from quality.gx_marts import validate_marts
    from quality.raw_integrity import check_raw_integrity
    from quality.runner import run_checks

    day = dt.date.fromisoformat(as_of)
    return {
        "ingest": lambda: ingest_landing(settings),
        "checks": lambda: (check_raw_integrity(settings), run_checks(settings, as_of=day)),
        "dbt": lambda: _require(run_dbt(dbt_command("build"), dbt_env(settings, as_of_date=day))),
        "mart_checks": lambda: validate_marts(settings),
        "alerts": lambda: run_report(settings, period, as_of=day, send=False),
        "publish": lambda: publish_snapshot(
            settings, external_threshold=nightly_external_threshold()
        ),
        "site": lambda: _sites(settings, day),
    }


def _sites(settings: Settings, day: object) -> None:
    """The leadership site (and its external copy when configured), as the nightly asset does."""
    import datetime as dt

    from publishing.site.build import build_published_site
    from publishing.suppression import nightly_external_threshold

    built_on = day if isinstance(day, dt.date) else None
    build_published_site(settings.reports_dir, settings.published_dir, built_on=built_on)
    if nightly_external_threshold() is not None:
        build_published_site(
            settings.reports_dir, settings.published_dir, external=True, built_on=built_on
        )


def _previous_night_parse(settings: Settings) -> None:
    """The dbt parse state a home keeps from the night before (untimed)."""
    from orchestration.dbt_invocation import dbt_command, dbt_env, run_dbt

    _require(run_dbt(dbt_command("parse"), dbt_env(settings)))


def _require(result: DbtResult) -> DbtResult:
    if not result.success:
        raise RuntimeError(f"dbt build failed:\n{result.output[-3000:]}")
    return result


def timed_direct(
    settings: Settings, period: str, as_of: str
) -> tuple[dict[str, float], int, dict[str, int]]:
    """Run the direct path, return seconds per stage, peak RSS and peak RSS per stage."""
    seconds: dict[str, float] = {}
    peaks: dict[str, int] = {}
    for name, step in direct_steps(settings, period, as_of).items():
        with PeakRss() as rss:
            start = time.perf_counter()
            step()
            seconds[name] = time.perf_counter() - start
        peaks[name] = rss.peak
    return seconds, max(peaks.values()), peaks


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="caseload multiplier")
    parser.add_argument("--months", type=int, default=36, help="months of history")
    parser.add_argument("--bapas", type=int, default=0, help="0 = every active Bapas")
    parser.add_argument("--workdir", type=Path, default=Path("var/bench/nightly"))
    args = parser.parse_args(argv if argv is not None else [])
    months = run_months("2025-01", args.months + 1)
    history = {m.label for m in months[:-1]} | {str(m.start.year) for m in months[:-1]}
    new = months[-1]
    period = new.label
    # Judge as on the 15th of the following month: the new month is due and just delivered.
    as_of = f"{new.end.year + new.end.month // 12:04d}-{new.end.month % 12 + 1:02d}-15"

    work = args.workdir.resolve()
    generated = work / "generated"
    if not (generated / "_manifest.json").exists():
        print(f"generating {len(months)} months at scale {args.scale}...", flush=True)
        generate(
            out=generated, start=months[0].label, months=len(months), seed=7,
            bapas=args.bapas or None, faults="default", scale=args.scale, overwrite=True,
        )  # fmt: skip
    base = work / "base"
    if not (base / "warehouse" / "lipas.duckdb").exists():
        shutil.rmtree(base, ignore_errors=True)
        with lipas_home(base, as_of) as settings:
            deliver(generated, settings.landing_dir, history)
            print(f"building {args.months} months of history (untimed setup)...", flush=True)
            for name, step in direct_steps(settings, months[-2].label, as_of).items():
                if name not in ("alerts", "publish", "site"):
                    step()

    results: dict[str, float] = {}
    peaks: dict[str, int] = {}
    for mode in ("direct", "dagster"):
        home = work / mode
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(base, home, symlinks=True)
        with lipas_home(home, as_of) as settings:
            _previous_night_parse(settings)
            deliver(generated, settings.landing_dir, {new.label})
            if mode == "direct":
                stages, peak, peaks = timed_direct(settings, period, as_of)
                total = sum(stages.values())
            else:
                from orchestration.instance import run_job

                config = {
                    "ops": {"quality_alert_summary": {"config": {"period": period, "send": False}}}
                }
                with PeakRss() as rss:
                    outcome = run_job(settings, "nightly", run_config=config)
                peak, total, stages = rss.peak, outcome.seconds, dict(outcome.step_seconds)
                if not outcome.success:
                    print("WARNING: the Dagster nightly run failed", outcome.failed_checks)
        results[f"{mode}_seconds"] = total
        results[f"{mode}_peak_rss_mb"] = peak / 2**20
        print(f"\n[{mode}] new month {period} on {args.months} months of history")
        for name, secs in stages.items():
            step_rss = f"   peak RSS {peaks[name] / 2**20:,.0f} MB" if mode == "direct" else ""
            print(f"  {name:<32} {secs:8.1f} s{step_rss}")
        print(f"  {'total':<32} {total:8.1f} s   peak RSS {peak / 2**20:,.0f} MB")
    ratio = results["dagster_seconds"] / results["direct_seconds"]
    results["overhead_ratio"] = ratio
    print(
        f"\nnightly via Dagster: {results['dagster_seconds']:.1f} s (target < 60 s), "
        f"peak RSS {results['dagster_peak_rss_mb']:,.0f} MB (target < 1,536 MB)\n"
        f"baseline, the same steps called directly: {results['direct_seconds']:.1f} s, "
        f"peak RSS {results['direct_peak_rss_mb']:,.0f} MB\n"
        f"Dagster overhead ratio {ratio:.2f}x (target < 1.2x)"
    )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])

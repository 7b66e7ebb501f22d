"""Nightly run benchmark: one new national month on top of a three-year national history,
through Dagster and through the same steps called directly (the baseline, measured in the same
run: Dagster's overhead is the ratio), each in a fresh process, with wall, CPU and peak RSS.

    .venv/bin/python benchmarks/bench_nightly.py --workdir DIR     # the target size
    .venv/bin/python benchmarks/bench_nightly.py --months 3 --bapas 8 --scale 0.3 --xlsx-months 0

Targets (issue 16): the new month under 60 s end to end on three years of national history,
peak RSS (all processes) under 1.5 GB, Dagster overhead under 1.2x of the direct steps.
The history (older months synthesised in SQL, the last --xlsx-months generated and ingested,
see benchmarks/nightly_setup.py) and the previous night are built once and kept in --workdir;
the new month is one month of generated xlsx for every active Bapas. Each copied home first
gets one untimed `dbt parse`, as the previous night left it: a real home keeps its dbt parse
state between nights, a copy at another path would re-parse in full. CPU seconds (this
process and its children) are steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_ingest import PeakRss
from benchmarks.nightly_setup import (
    MEAN_CASELOAD,
    build_base,
    direct_steps,
    judging_day,
    lipas_home,
    previous_night_parse,
)
from synthetic.dates import run_months
from synthetic.deliver import deliver
from synthetic.generate import generate, select_bapas

TARGET_SECONDS, TARGET_RSS_MB, TARGET_RATIO = 60.0, 1536, 1.2


def _generate(out: Path, start: str, months: int, args: argparse.Namespace) -> None:
    if (out / "_manifest.json").exists():
        return
    print(f"generating {months} month(s) of xlsx from {start} at scale {args.scale}...", flush=True)
    generate(
        out=out, start=start, months=months, seed=7, bapas=args.bapas or None,
        faults="default", scale=args.scale, overwrite=True,
    )  # fmt: skip


def run_mode(
    mode: str, home: Path, period: str, generated: Path, tonight: set[str]
) -> dict[str, object]:
    """One nightly in `home` on tonight's files, through `mode`; wall, CPU and peak RSS."""
    day = judging_day(run_months(period, 1)[0])
    stages: dict[str, list[float]] = {}
    with lipas_home(home, day.isoformat()) as settings:
        previous_night_parse(settings)
        files = deliver(generated, settings.landing_dir, tonight)
        with PeakRss() as rss:
            began = time.perf_counter()
            if mode == "direct":
                for name, step in direct_steps(settings, period, day).items():
                    # What earlier steps left in this process: the floor under the step's peak.
                    held = psutil.Process().memory_info().rss / 2**20
                    with PeakRss() as step_rss:
                        step_began = time.perf_counter()
                        done = step()
                    spent = time.perf_counter() - step_began
                    stages[name] = [spent, step_rss.cpu_seconds, step_rss.peak / 2**20, held]
                    print(f"  [direct] {name:<12} {spent:7.1f} s", flush=True)
                    if name == "checks" and isinstance(done, tuple):
                        print(f"    quality check timings: {getattr(done[1], 'timings', {})}")
            else:
                from orchestration.instance import run_job

                config = {
                    "ops": {"quality_alert_summary": {"config": {"period": period, "send": False}}}
                }
                outcome = run_job(settings, "nightly", run_config=config, as_of=day)
                if not outcome.success:
                    print("WARNING: the Dagster nightly run failed", outcome.failed_checks,
                          outcome.failure_message[-2000:])  # fmt: skip
                stages = {k: [v, float("nan"), 0.0, 0.0] for k, v in outcome.step_seconds.items()}
            total = time.perf_counter() - began
    return {
        "files": files,
        "stages": stages,
        "total": {"seconds": total, "cpu": rss.cpu_seconds, "peak_rss_mb": rss.peak / 2**20},
    }


def _print_mode(mode: str, figures: dict[str, Any], period: str, months: int) -> None:
    print(f"\n[{mode}] new month {period} ({figures['files']} files) on {months} months of history")
    print(f"  {'step':<32} {'wall':>8}   {'CPU':>8}   peak RSS (process so far; held at start)")
    for name, (secs, cpu, peak, held) in figures["stages"].items():
        cpu_text = f"{cpu:8.1f} s" if cpu == cpu else f"{'':10}"
        peak_text = f"{peak:7,.0f} MB; {held:5,.0f} MB" if peak else ""
        print(f"  {name:<32} {secs:8.1f} s {cpu_text} {peak_text}")
    total = figures["total"]
    print(f"  {'total':<32} {total['seconds']:8.1f} s {total['cpu']:8.1f} s "
          f"{total['peak_rss_mb']:7,.0f} MB", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="caseload multiplier")
    parser.add_argument("--months", type=int, default=36, help="months of history")
    parser.add_argument("--start", default="2024-07", help="first month of the history")
    parser.add_argument("--bapas", type=int, default=0, help="0 = every active Bapas")
    parser.add_argument(
        "--xlsx-months", type=int, default=14,
        help="the last N months (the new one included) are generated xlsx, ingested; older ones "
        "are synthesised in SQL (0 or more than --months: all xlsx, hours at national size)",
    )  # fmt: skip
    parser.add_argument(
        "--clients", type=int, default=0,
        help="clients per Bapas-month of the synthesised months (0 = generator's mean x --scale)",
    )  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=Path("var/bench/nightly"))
    parser.add_argument(
        "--only", choices=("direct", "dagster", "setup"), default=None,
        help="one mode, or only build the history (setup)",
    )  # fmt: skip
    for hidden in ("--run-mode", "--home", "--period", "--new-month", "--tonight", "--out"):
        parser.add_argument(hidden, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.run_mode:
        figures = run_mode(
            args.run_mode, Path(args.home), args.period, Path(args.new_month),
            set((args.tonight or args.period).split(",")),
        )  # fmt: skip
        Path(args.out).write_text(json.dumps(figures), encoding="utf-8")
        return {}
    months = run_months(args.start, args.months + 1)
    xlsx_count = len(months) if not 0 < args.xlsx_months <= len(months) else args.xlsx_months
    synth, xlsx = months[:-xlsx_count], months[-xlsx_count:]
    new = months[-1]
    period, day = new.label, judging_day(new)
    offices = select_bapas([new], args.bapas or None)
    clients = args.clients or max(8, round(MEAN_CASELOAD * args.scale))
    load = os.getloadavg()[0]
    print(f"nightly benchmark: {len(offices)} Bapas, {args.months} months of history from "
          f"{args.start} ({len(synth)} synthesised, {len(xlsx) - 1} xlsx), new month {period} "
          f"judged on {day}, load {load:.1f}", flush=True)  # fmt: skip

    work = args.workdir.resolve() / f"{args.start}+{args.months}-x{len(xlsx)}-s{args.scale}"
    generated = work / "generated"
    _generate(generated, xlsx[0].label, len(xlsx), args)
    # Annual plans: a year the synthesised months cover is in the ledger already.
    synth_years = {str(m.start.year) for m in synth}
    delivered = {m.label for m in xlsx[:-1]} | {str(m.start.year) for m in xlsx[:-1]} - synth_years
    base = work / "base"
    build_base(base, synth, xlsx[:-1], offices, clients,
               lambda landing: deliver(generated, landing, delivered))  # fmt: skip
    # Tonight: the new month, and its year's annual plans when that year is new.
    tonight = {period, str(new.start.year)} - delivered - synth_years
    results: dict[str, float] = {}
    for mode in ("direct", "dagster"):
        if args.only and mode != args.only:
            continue
        home = work / mode
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(base, home, symlinks=True)
        # Each mode in a fresh process: the setup's (and the other mode's) memory must not count.
        out = work / f"{mode}.json"
        out.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, __file__, "--run-mode", mode, "--home", str(home), "--period",
             period, "--new-month", str(generated), "--tonight", ",".join(sorted(tonight)),
             "--out", str(out)],
            check=True,
        )  # fmt: skip
        figures = json.loads(out.read_text(encoding="utf-8"))
        _print_mode(mode, figures, period, args.months)
        results.update({f"{mode}_{k}": v for k, v in figures["total"].items()})
    if "direct_seconds" in results and "dagster_seconds" in results:
        ratio = results["dagster_seconds"] / results["direct_seconds"]
        cpu_ratio = results["dagster_cpu"] / results["direct_cpu"]
        results["overhead_ratio"], results["overhead_cpu_ratio"] = ratio, cpu_ratio
        print(
            f"\nnightly via Dagster: {results['dagster_seconds']:.1f} s wall, "
            f"{results['dagster_cpu']:.1f} s CPU (target < {TARGET_SECONDS:.0f} s), "
            f"peak RSS {results['dagster_peak_rss_mb']:,.0f} MB (target < {TARGET_RSS_MB:,} MB)\n"
            f"baseline, the same steps called directly: {results['direct_seconds']:.1f} s wall, "
            f"{results['direct_cpu']:.1f} s CPU, peak RSS {results['direct_peak_rss_mb']:,.0f} MB"
            f"\nDagster overhead ratio {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU "
            f"(target < {TARGET_RATIO}x)"
        )
    print(f"load average before/after {load:.1f}/{os.getloadavg()[0]:.1f}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])

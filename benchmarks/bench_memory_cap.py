"""Peak RSS and CPU of the nightly's in-process steps with and without LIPAS_DUCKDB_MEMORY_LIMIT.

Issue 16 wants the nightly under 1.5 GB. dbt runs in its own process (LIPAS_DBT_MEMORY_LIMIT);
the steps measured here open the warehouse in lipas's own process: the raw-integrity gate and
the checks, the mart checks, publishing and the site. Each step runs in a fresh subprocess per
setting, on an existing home (e.g. `bench_scale.py --workdir DIR` keeps DIR/<size>/home), so
peak RSS is that step's alone. The steps write (findings, snapshot, site) as the nightly does.

    .venv/bin/python benchmarks/bench_memory_cap.py DIR/82x3/home 2023-02-15 --limits 80%,1GB
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEPS = ("checks", "mart_checks", "publish", "site")


def _step(name: str, day: dt.date) -> Callable[[], object]:
    from benchmarks.nightly_setup import sites
    from core.settings import load_settings
    from publishing.snapshot import publish_snapshot
    from publishing.suppression import nightly_external_threshold
    from quality.gx_marts import validate_marts
    from quality.raw_integrity import run_raw_integrity_gate
    from quality.runner import run_checks

    settings = load_settings()
    return {
        "checks": lambda: (run_raw_integrity_gate(settings), run_checks(settings, as_of=day)),
        "mart_checks": lambda: validate_marts(settings),
        "publish": lambda: publish_snapshot(
            settings, external_threshold=nightly_external_threshold()
        ),
        "site": lambda: sites(settings, day),
    }[name]


def child(name: str, day: dt.date) -> None:
    """Run one step in this process and print its figures as one JSON line."""
    fn = _step(name, day)
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                      "peak_mb": peak_mb}))  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Each step under each limit; a table and the peak ratio against DuckDB's own limit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("as_of", type=dt.date.fromisoformat)
    parser.add_argument("--limits", default="80%,1GB", help="comma list; 80%% = DuckDB's own")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.as_of)
        return
    limits = args.limits.split(",")
    env = {**os.environ, "LIPAS_HOME": str(args.home), "LIPAS_ENV": "dev",
           "LIPAS_AS_OF": args.as_of.isoformat()}  # fmt: skip
    peaks: dict[str, float] = {}
    print(f"{'step':<12} {'limit':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}")
    for name in args.steps.split(","):
        for limit in limits:
            command = [sys.executable, __file__, str(args.home), args.as_of.isoformat()]
            out = subprocess.run(
                [*command, "--child", name],
                env={**env, "LIPAS_DUCKDB_MEMORY_LIMIT": limit},
                capture_output=True,
                text=True,
                check=True,
            )
            fig = json.loads(out.stdout.strip().splitlines()[-1])
            label = limit
            peaks[label] = max(peaks.get(label, 0.0), fig["peak_mb"])
            print(f"{name:<12} {label:>8} {fig['wall']:>8.1f} {fig['cpu']:>8.1f} "
                  f"{fig['peak_mb']:>9,.0f}", flush=True)  # fmt: skip
    base = peaks.get("80%")
    for label, peak in peaks.items():
        ratio = f" = {peak / base:.2f}x DuckDB's own" if base and label != "80%" else ""
        print(f"highest step peak with {label}: {peak:,.0f} MB{ratio} (target < 1,500 MB)")


if __name__ == "__main__":
    main(sys.argv[1:])

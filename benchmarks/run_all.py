"""`make bench`: run every benchmark script in turn; each prints its own figures and ratios."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Order matters: generation first (others reuse its output when they share a cache dir).
BENCHMARKS = (
    "benchmarks.bench_generate",
    "benchmarks.bench_ingest",
    "benchmarks.bench_dbt",
    "benchmarks.bench_quality",
    "benchmarks.bench_event_log",
    "benchmarks.bench_nightly",
    "benchmarks.bench_scale",
)
# Sizes of the scale simulation `make bench` runs (every size, up to 200 x 10 years, takes hours
# on two cores): BENCH_SCALE_SIZES=82x1,82x3,82x10,200x1,200x3,200x10 for the whole curve.
SCALE_SIZES_ENV = "BENCH_SCALE_SIZES"
DEFAULT_SCALE_SIZES = "82x1,82x3"
# BENCH_SCALE_POSTGRES=1 also builds each size on a throwaway PostgreSQL cluster (--postgres):
# off by default, as it adds minutes per size (copy, full build, +1 month on PostgreSQL).
SCALE_POSTGRES_ENV = "BENCH_SCALE_POSTGRES"


def _argv(name: str) -> list[str]:
    """Arguments for one benchmark (none: its own defaults)."""
    if name == "benchmarks.bench_scale":
        argv = ["--sizes", os.environ.get(SCALE_SIZES_ENV, DEFAULT_SCALE_SIZES)]
        postgres = os.environ.get(SCALE_POSTGRES_ENV, "").strip().lower() in ("1", "true", "yes")
        return [*argv, "--postgres"] if postgres else argv
    if name == "benchmarks.bench_ingest":
        return ["--stages"]
    return []


def main() -> int:
    """Run each benchmark in a process of its own; a failing one is reported, the rest still run.

    Each in its own process: run in this one, a benchmark's peak RSS included what the earlier
    ones left behind (the scale simulation's 82 x 1 full build "peaked" at 2,588 MB after the
    nightly benchmark, 958 MB alone). The host's speed is printed before and after
    (benchmarks/host_speed.py): on a shared machine it moves by more than most of the changes
    being measured.
    """
    from benchmarks.host_speed import report as host_speed

    failures = 0
    host_speed("host speed before")
    root = Path(__file__).resolve().parents[1]
    for name in BENCHMARKS:
        print(f"\n===== {name} =====", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, "-u", "-m", name, *_argv(name)], cwd=root).returncode
        if code:
            failures += 1
            print(f"{name} failed: exit status {code}", flush=True)
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    host_speed("host speed after")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

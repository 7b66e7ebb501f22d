"""`make bench`: run every benchmark script in turn; each prints its own figures and ratios."""

from __future__ import annotations

import importlib
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
    "benchmarks.bench_nightly",
)


def main() -> int:
    """Run each benchmark's main(); a failing benchmark is reported and the rest still run."""
    failures = 0
    for name in BENCHMARKS:
        print(f"\n===== {name} =====", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
            module.main()
        except Exception as exc:
            failures += 1
            print(f"{name} failed: {exc!r}", flush=True)
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

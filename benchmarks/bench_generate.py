"""Benchmark `lipas generate`: seconds for one national month (~80 Bapas, ~100k clients).

Target: under 30 s on 2 cores. `main()` is importable for benchmarks/run_all.py and returns
the figures as a dict as well as printing them.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path
from typing import Any

from synthetic.generate import generate

TARGET_SECONDS = 30.0


def _cpu_seconds() -> float:
    """User + system CPU of this process and its reaped children (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Generate one national month into a temp folder and report time and volume."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", default="2025-01")
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--faults", default="default", choices=("default", "none"))
    args = parser.parse_args(argv)
    cpu_before = _cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="bench_generate_") as tmp:
        result = generate(
            Path(tmp) / "landing",
            args.start,
            args.months,
            args.seed,
            faults=args.faults,
            workers=args.workers,
        )
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    cpu = _cpu_seconds() - cpu_before
    rows = sum(result.rows.values())
    figures = {
        "benchmark": "generate",
        "seconds": round(result.seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "target_seconds": TARGET_SECONDS,
        "bapas": result.bapas,
        "months": result.months,
        "files": result.files,
        "rows": rows,
        "klien_rows": result.rows.get("monthly.KLIEN", 0),
        "megabytes": round(size / 1e6, 1),
    }
    print(
        f"generate: {figures['seconds']} s wall, {figures['cpu_seconds']} s CPU for "
        f"{result.bapas} Bapas x {result.months} month(s): "
        f"{result.files} files, {rows:,} rows ({figures['klien_rows']:,} KLIEN), "
        f"{figures['megabytes']} MB (target < {TARGET_SECONDS:.0f} s)"
    )
    return figures


if __name__ == "__main__":
    main()

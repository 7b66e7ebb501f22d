"""Time the nightly's checks on an existing home: the raw-integrity gate, then `run_checks`.

The gate is timed three ways: the read-only scan of the whole raw history (what the gate did
before it kept ledger.raw_scans), its full pass, and an ordinary night's pass over the latest
month's submissions only.

For a warehouse another benchmark left behind (e.g. `bench_scale.py --workdir DIR` keeps
DIR/<size>/home), judged on one day as the nightly would (the judging window up to it). Prints
wall and CPU seconds (this process: DuckDB's threads included) and the per-family timings
`run_checks` records. To compare two versions of the code, run the same command from a
`git worktree` of each (the script imports the tree it lives in); the checks write findings
and fill the GX validity cache, so run each version twice and quote the second run (the
latest month's cache entries are dropped first, as that month is new on a real night).

    .venv/bin/python benchmarks/time_checks.py DIR/82x3/home 2023-02-15
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> None:
    """Run both steps once and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("home", type=Path, help="LIPAS_HOME holding warehouse/lipas.duckdb")
    parser.add_argument("as_of", type=dt.date.fromisoformat, help="judging day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    os.environ.update({"LIPAS_HOME": str(args.home), "LIPAS_ENV": "dev"})
    os.environ["LIPAS_AS_OF"] = args.as_of.isoformat()
    logging.basicConfig(level=logging.WARNING)

    import duckdb

    from core.settings import load_settings
    from quality.raw_integrity import check_raw_integrity, run_raw_integrity_gate

    settings = load_settings()
    cpu, wall = time.process_time(), time.perf_counter()
    check_raw_integrity(settings)
    _print("raw integrity, read-only scan of all history (the gate before issue 16)", wall, cpu)
    cpu, wall = time.process_time(), time.perf_counter()
    run_raw_integrity_gate(settings, full=True)
    _print("raw-integrity gate, full pass (every LIPAS_RAW_FULL_SCAN_DAYS)", wall, cpu)
    # An ordinary night: the latest month's submissions are the ones not scanned yet.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "delete from ledger.raw_scans where submission_id in (select submission_id"
            " from ledger.submissions where periode = (select max(periode)"
            " from ledger.submissions where report_kind = 'monthly'))"
        )
    cpu, wall = time.process_time(), time.perf_counter()
    result = run_raw_integrity_gate(settings)
    _print(f"raw-integrity gate, nightly pass ({result.scanned} new submissions)", wall, cpu)

    from quality.runner import run_checks
    from quality.validity_cache import VALIDATED, ensure_cache_tables

    # As on a night: the latest month is new to the GX validity cache too (a second run of
    # this script would otherwise find every submission validated already).
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ensure_cache_tables(con)
        con.execute(
            f"delete from {VALIDATED} where submission_id in (select submission_id"
            " from ledger.submissions where periode = (select max(periode)"
            " from ledger.submissions where report_kind = 'monthly'))"
        )
    cpu, wall = time.process_time(), time.perf_counter()
    summary = run_checks(load_settings(), as_of=args.as_of)
    _print("run_checks", wall, cpu)
    slowest = sorted(summary.timings.items(), key=lambda item: -item[1])[:10]
    print("run_checks families (s): " + ", ".join(f"{k} {v:.1f}" for k, v in slowest))


def _print(name: str, wall: float, cpu: float) -> None:
    print(f"{name}: {time.perf_counter() - wall:.1f} s wall, "
          f"{time.process_time() - cpu:.1f} s CPU", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

"""How fast this host is right now: a fixed single-core workload, timed, to compare runs by.

The same code measured 48 s and 84 s for the national nightly on this kind of shared two-core
machine, with CPU seconds growing as much as wall seconds (issue 16): the host itself was slower,
not the code. A benchmark figure is only comparable with another run's when the host ran at the
same speed, so `make bench` prints this index before and after the benchmarks. The workload
does not touch the project: a pure-Python loop (what parsing and checks do per row), SHA-256
over a buffer (C code, memory bound) and a one-thread DuckDB aggregate (what dbt and the checks
do), each about a second on an unloaded host.

    .venv/bin/python benchmarks/host_speed.py
"""

from __future__ import annotations

import hashlib
import time

import duckdb

# Seconds each part took on 2026-12-08 (session 27, best of several runs, unloaded): the index
# is the sum of today's seconds over the sum of these. That day was a slow one: the national
# nightly's direct steps took 71.8 s on the same data and code that took 48.1 s the day before.
REFERENCE_SECONDS = {"python": 0.50, "sha256": 0.38, "duckdb": 0.30}


def _python() -> None:
    total = 0
    table: dict[int, str] = {}
    for i in range(5_000_000):
        total += i * i % 7
        if i % 4 == 0:
            table[i % 4096] = str(i)
    assert total > 0 and table


def _sha256() -> None:
    block = bytes(range(256)) * 4096  # 1 MiB
    digest = hashlib.sha256()
    for _ in range(600):
        digest.update(block)
    assert digest.hexdigest()


def _duckdb() -> None:
    con = duckdb.connect()
    try:
        con.execute("set threads = 1")
        row = con.execute("select sum(hash(i) % 1000) from range(40000000) t(i)").fetchone()
        assert row is not None
    finally:
        con.close()


PARTS = {"python": _python, "sha256": _sha256, "duckdb": _duckdb}


def measure() -> dict[str, float]:
    """CPU seconds of each part (best of three, so a brief burst elsewhere does not count)."""
    seconds: dict[str, float] = {}
    for name, part in PARTS.items():
        best = float("inf")
        for _ in range(3):
            began = time.process_time()
            part()
            best = min(best, time.process_time() - began)
        seconds[name] = best
    return seconds


def report(label: str = "host speed") -> dict[str, float]:
    """Print the parts and their sum; with a reference recorded, also the index against it."""
    seconds = measure()
    total = sum(seconds.values())
    parts = ", ".join(f"{name} {value:.2f} s" for name, value in seconds.items())
    reference = sum(REFERENCE_SECONDS.values())
    index = f"; {total / reference:.2f}x the reference host's time" if reference else ""
    print(f"{label}: {total:.2f} s CPU for the fixed workload ({parts}){index}", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Print the host speed once."""
    del argv
    return report()


if __name__ == "__main__":
    main()

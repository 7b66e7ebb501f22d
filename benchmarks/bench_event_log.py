"""Benchmark: storing Dagster events, Dagster's SQLite event log against ours (issue 16).

A nightly run stores ~1,000 events (step starts and ends, a materialisation per dbt model, an
asset check per dbt test, planned and evaluated); with Dagster's `SqliteEventLogStorage` that
was most of what the run cost beyond its steps. This stores the same number of engine events
and asset materialisations through a fresh instance of each kind, in this process, one after
the other, and prints CPU and wall milliseconds per event and the ratio of ours to Dagster's.
Baseline: Dagster's stock storage, measured in the same run.

    .venv/bin/python benchmarks/bench_event_log.py [--events 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg

from orchestration.instance import instance_config


def stock_config(_home: Path) -> str:
    """Dagster's defaults: its own SQLite storages under the instance folder."""
    return "telemetry:\n  enabled: false\n"


def per_event(config: Callable[[Path], str], events: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per stored event through a fresh instance with this dagster.yaml."""
    with tempfile.TemporaryDirectory(prefix="lipas-bench-events-") as tmp:
        home = Path(tmp)
        (home / "dagster.yaml").write_text(config(home), encoding="utf-8")
        with dg.DagsterInstance.from_config(str(home)) as instance:
            job = dg.GraphDefinition(name="bench", node_defs=[]).to_job()
            run = instance.create_run_for_job(job_def=job, run_config={})
            cpu, wall = time.process_time(), time.perf_counter()
            for index in range(events // 2):
                instance.report_engine_event(f"event {index}", run)
                instance.report_runless_asset_event(dg.AssetMaterialization(f"asset_{index % 40}"))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            stored = len(instance.all_logs(run.run_id))
            assert stored >= events // 2, stored
    return cpu / events * 1000, wall / events * 1000


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=600, help="events stored per storage")
    args = parser.parse_args(argv if argv is not None else [])
    per_event(instance_config, 20)  # imports and first-use costs out of the way
    stock_cpu, stock_wall = per_event(stock_config, args.events)
    ours_cpu, ours_wall = per_event(instance_config, args.events)
    print(f"Dagster event log, {args.events} events (half engine events, half materialisations):")
    print(f"  Dagster's SqliteEventLogStorage  {stock_cpu:5.2f} ms CPU  {stock_wall:5.2f} ms wall"
          " per event (baseline)")  # fmt: skip
    ratio_cpu, ratio_wall = ours_cpu / stock_cpu, ours_wall / stock_wall
    print(f"  ours, one connection per file    {ours_cpu:5.2f} ms CPU  {ours_wall:5.2f} ms wall"
          f" per event: {ratio_cpu:.2f}x CPU, {ratio_wall:.2f}x wall")  # fmt: skip
    print(f"  on a nightly's ~1,000 events: {stock_wall - ours_wall:.1f} s less")
    return {"stock_event_ms": stock_wall, "ours_event_ms": ours_wall,
            "event_ratio": ours_wall / stock_wall}  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])

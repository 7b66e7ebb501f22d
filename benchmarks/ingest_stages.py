"""Where a parse worker's time goes: CPU seconds per stage of `parse_submission`, in one process.

Wraps the stage functions for the duration of the run (no profiler, so no distortion of
Python-heavy code) and parses every file once, then reads the same files with bare calamine
(the floor). Used by `bench_ingest.py --stages`; run alone:

    .venv/bin/python benchmarks/ingest_stages.py DIR_OF_XLSX [--limit N]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (module[:class], attribute, label): what is timed; nested stages are indented.
STAGES = (
    ("ingestion.worker", "open_submission", "open (container checks)"),
    ("ingestion.readers.xlsx", "scan_xlsx_xml", "  of which XML safety scan"),
    ("ingestion.worker", "validate_structure", "validate (sheets read here)"),
    ("ingestion.readers.base:RawWorkbook", "load", "  of which sheet reading"),
    ("ingestion.transform", "plan_date_orders", "date order plan"),
    ("ingestion.transform", "_parse_all", "value parsing"),
    ("ingestion.transform", "_mask_long_runs", "long-number masking"),
    ("ingestion.transform", "rounded_niks", "rounded-NIK detection"),
    ("ingestion.transform", "nik_columns", "NIK pseudonyms and flags"),
    ("ingestion.transform", "birthdate_columns", "birth year and age"),
    ("ingestion.load:ParquetBatch", "write", "Parquet write"),
    ("ingestion.load:ParquetBatch", "_commit", "Parquet fsync + rename"),
    ("ingestion.worker", "write_parquet_atomic", "Parquet write + fsync (before issue 16)"),
)


@contextmanager
def timed_stages(cpu: dict[str, float], wall: dict[str, float]) -> Iterator[None]:
    """Accumulate CPU and wall seconds per stage while the block runs; restore afterwards."""
    import importlib

    saved: list[tuple[Any, str, Any]] = []
    for target, name, label in STAGES:
        module_name, _, cls = target.partition(":")
        owner: Any = importlib.import_module(module_name)
        if cls:
            owner = getattr(owner, cls, None)
        original = getattr(owner, name, None)
        if original is None:  # a stage the code being measured does not have (an older tree)
            continue
        saved.append((owner, name, original))
        setattr(owner, name, _wrap(original, label, cpu, wall))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def _wrap(
    fn: Callable[..., Any], label: str, cpu: dict[str, float], wall: dict[str, float]
) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        began_cpu, began = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            cpu[label] += time.process_time() - began_cpu
            wall[label] += time.perf_counter() - began

    return timed


def calamine_seconds(files: list[Path]) -> float:
    """CPU seconds to read every sheet of `files` with bare calamine (the floor)."""
    from python_calamine import CalamineWorkbook

    began = time.process_time()
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.process_time() - began


def stage_report(files: list[Path]) -> dict[str, float]:
    """Parse `files` in this process and print CPU seconds per stage against the floor."""
    from ingestion.pseudonymise import DEVELOPMENT_KEY
    from ingestion.worker import ParseJob, parse_submission, warm_up

    warm_up()
    cpu: dict[str, float] = collections.defaultdict(float)
    wall: dict[str, float] = collections.defaultdict(float)
    raw_dir = Path(tempfile.mkdtemp(prefix="lipas-stages-"))
    rows = 0
    with timed_stages(cpu, wall):
        began = time.process_time()
        for index, path in enumerate(files):
            job = ParseJob(f"s{index:06d}", path, "xlsx", path.name, "0" * 64, raw_dir, 2**31,
                           DEVELOPMENT_KEY, dt.datetime(2026, 1, 1), path.name)  # fmt: skip
            outcome = parse_submission(job)
            rows += sum(outcome.row_counts.values())
        total = time.process_time() - began
    shutil.rmtree(raw_dir, ignore_errors=True)
    floor = calamine_seconds(files)
    print(f"parse worker, {len(files)} files, {rows:,} rows, one process: {total:.2f} s CPU; "
          f"bare calamine {floor:.2f} s CPU; ratio {total / floor:.2f}x")  # fmt: skip
    for _, _, label in STAGES:
        if label not in cpu:
            continue
        print(f"  {label:<30} {cpu[label]:7.2f} s CPU {cpu[label] / total:6.1%}  "
              f"({wall[label]:6.2f} s wall)")  # fmt: skip
    return {"worker_cpu": total, "floor_cpu": floor, **cpu}


def main(argv: list[str] | None = None) -> None:
    """Stage breakdown of the .xlsx files under a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    files = sorted(args.folder.rglob("*.xlsx"))
    stage_report(files[: args.limit] if args.limit else files)


if __name__ == "__main__":
    main()

"""Benchmark: ingest a generated national year and compare with a naive loader and the floor.

On the same .xlsx files it times
  * ingest:  `ingest_landing` (archive, parse, validate, pseudonymise, Parquet, DuckDB, ledger),
  * naive:   `pandas.read_excel(engine="openpyxl")` of every sheet, no validation, one process,
  * floor:   python-calamine reading every sheet, nothing else, in the same 2-process pool size,
and prints wall time, CPU time of all processes (the single-core equivalent), rows/s, peak RSS
(this process + workers) and the ratios, both wall and CPU. Targets: ingest >= 4x faster than
naive, <= 1.5x the floor, peak RSS < 1.5 GB.

    .venv/bin/python benchmarks/bench_ingest.py                      # national year (slow)
    .venv/bin/python benchmarks/bench_ingest.py --months 2 --bapas 10
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

TARGET_NAIVE_SPEEDUP = 4.0
TARGET_FLOOR_RATIO = 1.5
TARGET_RSS_MB = 1536


class PeakRss:
    """Samples RSS and CPU time of this process plus its children (recursive) every 50 ms.

    `peak` is the highest summed RSS; `cpu_seconds` the CPU (user + system) spent during the
    step by this process and every descendant, i.e. the single-core-equivalent time. A child
    that ends between two samples loses at most its last 50 ms.
    """

    def __init__(self) -> None:
        self.peak = 0
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._baseline: dict[int, float] = {}
        self._cpu: dict[int, float] = {}

    @staticmethod
    def _processes() -> list[psutil.Process]:
        me = psutil.Process()
        return [me, *me.children(recursive=True)]

    def _sample(self) -> None:
        total = 0
        for proc in self._processes():
            try:
                total += proc.memory_info().rss
                times = proc.cpu_times()
                self._cpu[proc.pid] = times.user + times.system
            except psutil.Error:
                continue
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        for proc in self._processes():
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            # Processes alive before the step (e.g. a forkserver) count only what they add.
            self._baseline[proc.pid] = times.user + times.system
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.cpu_seconds = sum(cpu - self._baseline.get(pid, 0.0) for pid, cpu in self._cpu.items())


def _calamine_file(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)


def _naive_file(path: Path) -> int:
    import pandas as pd

    frames = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return sum(len(f) for f in frames.values())


def floor(files: list[Path], workers: int) -> int:
    """Calamine only, same pool size as ingestion."""
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return sum(pool.map(_calamine_file, files, chunksize=4))


def naive(files: list[Path]) -> int:
    """What a first script would do: pandas + openpyxl, every sheet, one process."""
    return sum(_naive_file(f) for f in files)


def timed(label: str, fn: Callable[[], int]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of all processes, rows, peak RSS bytes) of one measured step."""
    with PeakRss() as rss:
        began = time.perf_counter()
        rows = fn()
        seconds = time.perf_counter() - began
    print(f"{label:>7}: {seconds:8.2f} s wall {rss.cpu_seconds:8.2f} s CPU  {rows:>10,} rows  "
          f"{rows / seconds:>10,.0f} rows/s  peak RSS {rss.peak / 2**20:,.0f} MB")  # fmt: skip
    return seconds, rss.cpu_seconds, rows, rss.peak


def generate_xlsx(out: Path, months: int, bapas: str, scale: float) -> list[Path]:
    """Generate clean submissions and keep only the .xlsx ones (what all three loaders read)."""
    from synthetic.generate import generate

    generate(
        out, start="2025-01", months=months, seed=7, faults="none", scale=scale,
        bapas=None if bapas == "all" else int(bapas), messy_share=0.0,
    )  # fmt: skip
    landing = out.parent / "landing"
    files = []
    for path in sorted(out.rglob("*.xlsx")):
        target = landing / path.relative_to(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        files.append(target)
    return files


def main() -> None:
    """Run the benchmark and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--bapas", default="all", help="'all' or the first N Bapas")
    parser.add_argument("--scale", type=float, default=1.0, help="caseload multiplier")
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow openpyxl run")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lipas-bench-"))
    workers = min(2, os.cpu_count() or 1)
    os.environ["LIPAS_HOME"] = str(workdir / "home")
    os.environ.setdefault("LIPAS_ENV", "dev")
    os.environ["LIPAS_INGEST_WORKERS"] = str(workers)

    from core.settings import load_settings
    from ingestion.pipeline import ingest_landing

    began = time.perf_counter()
    files = generate_xlsx(workdir / "generated", args.months, args.bapas, args.scale)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} xlsx files, {size / 2**20:,.1f} MB, generated in "
          f"{time.perf_counter() - began:.1f} s; {workers} worker process(es)")  # fmt: skip
    landing = files[0].parents[2] if files else workdir / "landing"
    settings = load_settings()
    load_before = os.getloadavg()[0]

    def run_ingest() -> int:
        summary = ingest_landing(settings, landing, remove_processed=False)
        if summary.rejected:
            print(f"warning: {summary.rejected} file(s) rejected")
        return summary.rows_loaded

    ingest_s, ingest_cpu, ingest_rows, ingest_rss = timed("ingest", run_ingest)
    floor_s, floor_cpu, _, _ = timed("floor", lambda: floor(files, workers))
    print(f"ingest / floor  = {ingest_s / floor_s:5.2f}x wall, {ingest_cpu / floor_cpu:5.2f}x CPU "
          f"(target <= {TARGET_FLOOR_RATIO}x; floor: calamine, {workers} processes)")  # fmt: skip
    if not args.skip_naive:
        naive_s, naive_cpu, _, _ = timed("naive", lambda: naive(files))
        print(f"naive / ingest  = {naive_s / ingest_s:5.2f}x wall, {naive_cpu / ingest_cpu:5.2f}x "
              f"CPU (target >= {TARGET_NAIVE_SPEEDUP}x; naive = 1 process)")  # fmt: skip
    print(f"ingest peak RSS = {ingest_rss / 2**20:,.0f} MB (target < {TARGET_RSS_MB} MB); "
          f"{ingest_rows / ingest_s:,.0f} rows/s; load average before/after "
          f"{load_before:.1f}/{os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

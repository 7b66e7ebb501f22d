"""Benchmark: ingest a generated national year and compare with a naive loader and the floor.

On the same .xlsx files, in one run, it times
  * ingest:  `ingest_landing` (archive, parse, validate, pseudonymise, Parquet, DuckDB, ledger),
  * floor:   python-calamine reading every sheet, nothing else, in the same 2-process pool size,
  * naive:   `pandas.read_excel(engine="openpyxl")` of every sheet, no validation, one process,
and prints wall time, CPU time of all processes (the single-core equivalent), rows/s, peak RSS
(this process + workers) and the ratios, both wall and CPU (on a shared machine the CPU ratio
is the steadier one). Targets (issue 16): ingest within 2x of the floor, at least 6x faster
than naive, peak RSS < 1.5 GB. `--stages` adds where a parse worker's CPU goes, stage by stage
(benchmarks/ingest_stages.py), against bare calamine on the same files.

    .venv/bin/python benchmarks/bench_ingest.py                      # national year (slow)
    .venv/bin/python benchmarks/bench_ingest.py --months 12 --bapas 12 --stages
    .venv/bin/python benchmarks/bench_ingest.py --workdir DIR        # keeps and reuses the files
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_NAIVE_SPEEDUP = 6.0
TARGET_FLOOR_RATIO = 2.0
TARGET_RSS_MB = 1536


class PeakRss:
    """Samples RSS and CPU time of this process plus its children (recursive) every 50 ms.

    `peak` is the highest summed RSS; `cpu_seconds` the CPU (user + system) spent during the
    step by this process and every descendant, i.e. the single-core-equivalent time, less the
    sampler thread's own. A child that ends between two samples loses at most its last 50 ms.
    """

    def __init__(self) -> None:
        self.peak = 0
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._baseline: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._own_cpu = 0.0

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
        # The sampler runs in this process: its own CPU is not the step's (~1 s a minute).
        self._own_cpu = time.thread_time()

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
        spent = sum(cpu - self._baseline.get(pid, 0.0) for pid, cpu in self._cpu.items())
        self.cpu_seconds = spent - self._own_cpu


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

    if not (out / "_manifest.json").exists():  # a kept --workdir is reused as it is
        generate(
            out, start="2025-01", months=months, seed=7, faults="none", scale=scale,
            bapas=None if bapas == "all" else int(bapas), messy_share=0.0, overwrite=True,
        )  # fmt: skip
    landing = out.parent / "landing"
    files = []
    for path in sorted(out.rglob("*.xlsx")):
        target = landing / path.relative_to(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        files.append(target)
    return files


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark, print the figures and ratios, and return them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--bapas", default="all", help="'all' or the first N Bapas")
    parser.add_argument("--scale", type=float, default=1.0, help="caseload multiplier")
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow openpyxl run")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    parser.add_argument("--stages", action="store_true", help="CPU per parse stage too")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
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

    figures: dict[str, float] = {}
    home = Path(os.environ["LIPAS_HOME"])
    if home.exists():  # a kept --workdir: start from an empty warehouse every time
        shutil.rmtree(home)

    def run_ingest() -> int:
        summary = ingest_landing(settings, landing, remove_processed=False)
        if summary.rejected:
            print(f"warning: {summary.rejected} file(s) rejected")
        return summary.rows_loaded

    ingest_s, ingest_cpu, ingest_rows, ingest_rss = timed("ingest", run_ingest)
    floor_s, floor_cpu, _, _ = timed("floor", lambda: floor(files, workers))
    figures |= {"ingest_s": ingest_s, "ingest_cpu": ingest_cpu, "floor_s": floor_s,
                "floor_cpu": floor_cpu, "ingest_rss_mb": ingest_rss / 2**20}  # fmt: skip
    verdict = "ok" if ingest_s / floor_s <= TARGET_FLOOR_RATIO else "MISSED"
    print(f"ingest / floor  = {ingest_s / floor_s:5.2f}x wall, {ingest_cpu / floor_cpu:5.2f}x "
          f"CPU (target <= {TARGET_FLOOR_RATIO}x; floor: calamine, {workers} processes) "
          f"{verdict}")  # fmt: skip
    if not args.skip_naive:
        naive_s, naive_cpu, _, _ = timed("naive", lambda: naive(files))
        figures |= {"naive_s": naive_s, "naive_cpu": naive_cpu}
        verdict = "ok" if naive_s / ingest_s >= TARGET_NAIVE_SPEEDUP else "MISSED"
        print(f"naive / ingest  = {naive_s / ingest_s:5.2f}x wall, {naive_cpu / ingest_cpu:5.2f}x "
              f"CPU (target >= {TARGET_NAIVE_SPEEDUP}x; naive = 1 process) {verdict}")  # fmt: skip
    verdict = "ok" if ingest_rss < TARGET_RSS_MB * 2**20 else "MISSED"
    print(f"ingest peak RSS = {ingest_rss / 2**20:,.0f} MB (target < {TARGET_RSS_MB} MB) "
          f"{verdict}; {ingest_rows / ingest_s:,.0f} rows/s; load average before/after "
          f"{load_before:.1f}/{os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.stages:
        from benchmarks.ingest_stages import stage_report

        figures |= stage_report(files)
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


if __name__ == "__main__":
    main()

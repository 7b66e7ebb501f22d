"""Scale simulation (issue 16): 82 and 200 Bapas over 1, 3 and 10 years, raw tables made in SQL.

For each size the raw tables and ledger rows are synthesised straight into DuckDB
(`benchmarks.scale_data`, every column of the raw layout, ~1,500 clients per Bapas-month), then
it times, each as the nightly runs it:
  full    `dbt build --full-refresh` on the whole history (one dbt process),
  checks  raw-integrity gate (a full pass) + quality checks (GX included) for the judging
          window,
  publish the analyst snapshot,
  +1 load the next month's raw rows (SQL, not timed against targets),
  +1 dbt  `dbt build` after one more month, as an ordinary night runs it (incremental; data
          tests scoped to the judging window, no unit tests: scale_measure.dbt_build_step),
  +1 chk  the gate on the new month's submissions and the checks again for the judging
          window (what an ordinary night checks),
  +1 pub  publishing again, from the previous snapshot (only changed periods are copied),
with peak RSS (this process + dbt) per step, the slowest dbt models of the +1 month build, and
the growth of the +1 month steps from 1 to 10 years (target < 1.5x). 200 Bapas need offices the
seed does not list yet: the run then uses a copy of the dbt project with made-up extra Bapas.

--postgres also runs each size on a throwaway PostgreSQL 15 cluster (scale_postgres.py: input
copy + full build after the history, copy + `dbt build` after +1 month, a table beside DuckDB's).
Off by default as it is slow (minutes per step at national volume); BENCH_SCALE_POSTGRES=1 for
`make bench`.

    .venv/bin/python benchmarks/bench_scale.py --sizes 82x1,82x3          # quick
    .venv/bin/python benchmarks/bench_scale.py                           # every size (hours)
    .venv/bin/python benchmarks/bench_scale.py --sizes 200x3 --postgres  # beside PostgreSQL
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scale_data import offices, project_with_offices, synthesise
from benchmarks.scale_measure import Figures, dbt_build_step, measure, slowest_nodes
from benchmarks.scale_postgres import PostgresSide, report_beside

DEFAULT_SIZES = "82x1,82x3,82x10,200x1,200x3,200x10"
FIRST_PERIOD = (2020, 1)  # the report calendar requires reports from 2020-01
TARGET_GROWTH = 1.5
STEPS = ("full", "checks", "publish", "+1 load", "+1 dbt", "+1 checks", "+1 publish")


@dataclass
class SizeResult:
    """Seconds, CPU seconds and peak RSS (MB) per step of one size, and what dbt spent most on."""

    label: str
    rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    slowest: list[tuple[str, float]] = field(default_factory=list)
    postgres: Figures | None = None


def periods(years: int) -> tuple[list[str], str]:
    """History ('YYYY' annual plans and 'YYYY-MM' months) of `years` years, and the next month."""
    year, month = FIRST_PERIOD
    months = [f"{year + (month - 1 + i) // 12:04d}-{(month - 1 + i) % 12 + 1:02d}"
              for i in range(years * 12 + 1)]  # fmt: skip
    annual = sorted({m[:4] for m in months[:-1]})
    return annual + months[:-1], months[-1]


def judging_day(period: str) -> dt.date:
    """The 15th of the month after `period`: the month is due and delivered."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year + month // 12, month % 12 + 1, 15)


@contextmanager
def project_for(count: int, root: Path) -> Iterator[None]:
    """Point dbt and the reference readers at a project whose seed lists `count` Bapas."""
    import core.reference as reference
    import orchestration.dbt_invocation as invocation
    from core.settings import DBT_PROJECT_DIR

    _, extra = offices(count)
    if not extra:
        yield
        return
    project = project_with_offices(DBT_PROJECT_DIR, root, extra)
    # Module globals read at call time (dbt_command, reference._read): patched for this size.
    names = (("DBT_PROJECT_DIR", invocation, project), ("SEEDS_DIR", reference, project / "seeds"))
    saved = [(module, name, vars(module)[name]) for name, module, _ in names]
    for name, module, value in names:
        vars(module)[name] = value
    _clear_reference_caches(reference)
    try:
        yield
    finally:
        for module, name, value in saved:
            vars(module)[name] = value
        _clear_reference_caches(reference)


def _clear_reference_caches(module: object) -> None:
    for value in vars(module).values():
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            clear()


def _timed(result: SizeResult, step: str, fn: Callable[[], object]) -> None:
    measure(result, step, fn)


def _checks(day: dt.date) -> Callable[[], object]:
    """The nightly's raw-integrity gate, then its checks.

    The gate's first run (the `checks` step) is a full pass over the raw layer; on the +1
    month it scans only the new month's submissions, as an ordinary night does.
    """
    from core.settings import load_settings
    from quality.raw_integrity import run_raw_integrity_gate
    from quality.runner import run_checks

    return lambda: (
        run_raw_integrity_gate(load_settings()),
        run_checks(load_settings(), as_of=day),
    )


def _publish() -> object:
    from core.settings import load_settings
    from publishing.snapshot import publish_snapshot
    from publishing.suppression import nightly_external_threshold

    return publish_snapshot(load_settings(), external_threshold=nightly_external_threshold())


def run_size(
    count: int,
    years: int,
    workdir: Path,
    clients: int,
    *,
    resume: bool = False,
    postgres: bool = False,
) -> SizeResult:
    """Synthesise one size and time every step (see the module docstring)."""
    import duckdb

    from core.settings import load_settings
    from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
    from quality.store import ensure_quality_tables

    label = f"{count}x{years}"
    root = workdir / label
    done = root / "full_build.json"
    if not (resume and done.exists()):
        shutil.rmtree(root, ignore_errors=True)
    home = root / "home"
    history, new = periods(years)
    result = SizeResult(label)
    old_env = dict(os.environ)
    os.environ.update({"LIPAS_HOME": str(home), "LIPAS_ENV": "dev"})
    try:
        with project_for(count, root), ExitStack() as stack:
            pg = stack.enter_context(PostgresSide(root / "pg")) if postgres else None
            bapas, _ = offices(count)
            settings = load_settings()
            settings.ensure_dirs()
            day = judging_day(history[-1])
            os.environ["LIPAS_AS_OF"] = day.isoformat()
            if resume and done.exists():
                # --resume: the history and its full build are kept from an earlier run.
                saved = json.loads(done.read_text(encoding="utf-8"))
                result.rows = saved["rows"]
                for key in ("seconds", "cpu", "rss_mb"):
                    getattr(result, key)["full"] = saved[key]
                full = f"{saved['seconds']:.1f} s wall {saved['cpu']:.1f} s CPU"
                print(f"  {label}: resumed ({result.rows:,} raw rows; full build {full})")
            else:
                began = time.perf_counter()
                con = duckdb.connect(str(settings.warehouse_path))
                ensure_ledger_tables(con)
                ensure_raw_tables(con)
                ensure_quality_tables(con)
                counts = synthesise(con, bapas, history, clients)
                con.close()
                result.rows = sum(counts.values())
                print(f"  {label}: {len(bapas)} Bapas, {len(history)} periods, {result.rows:,} "
                      f"raw rows ({counts.get('monthly_klien', 0):,} client-months) synthesised "
                      f"in {time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
                _timed(result, "full", dbt_build_step(day, full_refresh=True))
                done.write_text(json.dumps({"rows": result.rows} | {
                    key: getattr(result, key)["full"] for key in ("seconds", "cpu", "rss_mb")
                }), encoding="utf-8")  # fmt: skip
            _timed(result, "checks", _checks(day))
            _timed(result, "publish", _publish)
            if pg is not None:
                pg.history(day)
            day = judging_day(new)
            os.environ["LIPAS_AS_OF"] = day.isoformat()

            def load_month() -> None:
                con = duckdb.connect(str(settings.warehouse_path))
                try:
                    synthesise(con, bapas, [new], clients)
                finally:
                    con.close()

            _timed(result, "+1 load", load_month)
            _timed(result, "+1 dbt", dbt_build_step(day, full_refresh=False))
            result.slowest = slowest_nodes()
            _timed(result, "+1 checks", _checks(day))
            _timed(result, "+1 publish", _publish)
            if pg is not None:
                pg.next_month(day)
                result.postgres = pg.figures
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    slowest = ", ".join(f"{name} {secs:.1f}s" for name, secs in result.slowest)
    print(f"    slowest nodes of the +1 month build: {slowest}", flush=True)
    return result


def report(results: list[SizeResult]) -> None:
    """The curve (wall and CPU per size) and the growth of the +1 month steps with history.

    Growth is judged on CPU seconds (dbt and its DuckDB threads, the checks' process): on a
    shared machine wall time follows the load more than the work.
    """
    for unit, table in (("wall", "seconds"), ("CPU", "cpu")):
        print(f"\n{unit:<5} size  raw rows   " + "  ".join(f"{s:>10}" for s in STEPS)
              + "   peak RSS")  # fmt: skip
        for r in results:
            values = getattr(r, table)
            cells = "  ".join(f"{values.get(s, float('nan')):9.1f}s" for s in STEPS)
            peak = max(r.rss_mb.values(), default=0)
            print(f"{r.label:<10} {r.rows:>10,}  {cells}   {peak:,.0f} MB")
    by_label = {r.label: r for r in results}
    for count in sorted({int(r.label.split("x")[0]) for r in results}):
        ones = by_label.get(f"{count}x1")
        for years in (3, 10):
            other = by_label.get(f"{count}x{years}")
            if ones is None or other is None:
                continue
            for step in ("+1 dbt", "+1 checks", "+1 publish"):
                cpu = other.cpu[step] / ones.cpu[step]
                wall = other.seconds[step] / ones.seconds[step]
                verdict = "ok" if cpu < TARGET_GROWTH else "MISSED"
                print(f"{count} Bapas {step}: {years} years / 1 year = {cpu:.2f}x CPU "
                      f"({wall:.2f}x wall; target < {TARGET_GROWTH}x from 1 to 10 years) "
                      f"{verdict}")  # fmt: skip
    beside = [(r.label, r.seconds, r.cpu, r.postgres) for r in results if r.postgres]
    if beside:
        report_beside(beside)


def main(argv: list[str] | None = None) -> list[SizeResult]:
    """Run the sizes asked for and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="e.g. 82x1,200x3 (Bapas x years)")
    parser.add_argument("--clients", type=int, default=1500, help="clients per Bapas-month")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the warehouses here")
    parser.add_argument(
        "--resume", action="store_true", help="reuse a size's history and full build in --workdir"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="also build each size on a PostgreSQL cluster"
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lipas-scale-"))
    load = os.getloadavg()[0]
    print(f"scale simulation: sizes {args.sizes}, {args.clients} clients per Bapas-month, "
          f"load average {load:.1f}", flush=True)  # fmt: skip
    results = []
    for size in args.sizes.split(","):
        count, years = (int(part) for part in size.strip().lower().split("x"))
        results.append(run_size(
            count, years, workdir, args.clients, resume=args.resume, postgres=args.postgres
        ))  # fmt: skip
    report(results)
    print(f"load average before/after {load:.1f}/{os.getloadavg()[0]:.1f}")
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()

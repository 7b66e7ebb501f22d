"""Peak RSS and CPU of the nightly's steps under each DuckDB memory limit, and pass/fail.

Issue 16 wants the nightly under 1.5 GB. The default steps open the warehouse in lipas's own
process (LIPAS_DUCKDB_MEMORY_LIMIT): the raw-integrity gate and the checks, the mart checks,
publishing and the site. The steps `dbt` (a full rebuild) and `dbt_night` (an ordinary night's
incremental build, see scale_measure.dbt_build_step) run dbt in its own process under
LIPAS_DBT_MEMORY_LIMIT; their peak is dbt's process alone, and a build that fails (DuckDB's
"Out of Memory" where an aggregate cannot spill) is reported, not raised. Each step runs in a
fresh subprocess per setting, on an existing home (e.g. `bench_scale.py --workdir DIR` keeps
DIR/<size>/home), so peak RSS is that step's alone. The steps write (findings, snapshot, site,
marts) as the nightly does; `--load-month` first adds one synthesised month of raw rows to the
home (as bench_scale's "+1 load"), for a `dbt_night` on a new month.

    .venv/bin/python benchmarks/bench_memory_cap.py DIR/82x3/home 2023-02-15 --limits 80%,1GB
    .venv/bin/python benchmarks/bench_memory_cap.py DIR/82x3/home 2023-01-15 --steps dbt \
        --limits 80%,1GB
    .venv/bin/python benchmarks/bench_memory_cap.py DIR/82x3/home 2023-02-15 --steps dbt_night \
        --load-month 2023-01 --limits 1GB
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEPS = ("checks", "mart_checks", "publish", "site")
# dbt's steps: full refresh or not. Their child measures dbt's own process (RUSAGE_CHILDREN).
DBT_STEPS = {"dbt": True, "dbt_night": False}


def _step(name: str, day: dt.date) -> Callable[[], object]:
    from benchmarks.nightly_setup import sites
    from benchmarks.scale_measure import dbt_build_step
    from core.settings import load_settings
    from publishing.snapshot import publish_snapshot
    from publishing.suppression import nightly_external_threshold
    from quality.gx_marts import validate_marts
    from quality.raw_integrity import run_raw_integrity_gate
    from quality.runner import run_checks

    if name in DBT_STEPS:
        return dbt_build_step(day, full_refresh=DBT_STEPS[name])
    settings = load_settings()
    return {
        "checks": lambda: (run_raw_integrity_gate(settings), run_checks(settings, as_of=day)),
        "mart_checks": lambda: validate_marts(settings),
        "publish": lambda: publish_snapshot(
            settings, external_threshold=nightly_external_threshold()
        ),
        "site": lambda: sites(settings, day),
    }[name]


def child(name: str, day: dt.date) -> None:
    """Run one step in this process and print its figures as one JSON line.

    A dbt step's peak is its dbt process's (the largest waited-for child), its CPU that
    child's; a failed dbt build prints ok false and the tail of its error.
    """
    fn = _step(name, day)
    who = resource.RUSAGE_CHILDREN if name in DBT_STEPS else resource.RUSAGE_SELF
    before = resource.getrusage(who)
    wall = time.perf_counter()
    error = ""
    try:
        fn()
    except RuntimeError as exc:
        if name not in DBT_STEPS:
            raise
        error = str(exc)[-400:]
    after = resource.getrusage(who)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": cpu,
                      "peak_mb": after.ru_maxrss / 1024, "ok": not error,
                      "error": error}))  # fmt: skip


def load_month(home: Path, period: str, bapas: int, clients: int) -> None:
    """Add one synthesised month of raw rows to `home` (bench_scale's "+1 load")."""
    import duckdb

    from benchmarks.scale_data import offices, synthesise

    con = duckdb.connect(str(home / "warehouse" / "lipas.duckdb"))
    try:
        synthesise(con, offices(bapas)[0], [period], clients)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> None:
    """Each step under each limit; a table and the peak ratio against DuckDB's own limit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("as_of", type=dt.date.fromisoformat)
    parser.add_argument("--limits", default="80%,1GB", help="comma list; 80%% = DuckDB's own")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"also {', '.join(DBT_STEPS)}")
    parser.add_argument("--load-month", default=None, help="first add this 'YYYY-MM' raw month")
    parser.add_argument("--bapas", type=int, default=82, help="offices of --load-month")
    parser.add_argument("--clients", type=int, default=1500, help="clients per Bapas-month")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.as_of)
        return
    limits = args.limits.split(",")
    if args.load_month:
        load_month(args.home, args.load_month, args.bapas, args.clients)
    env = {**os.environ, "LIPAS_HOME": str(args.home), "LIPAS_ENV": "dev",
           "LIPAS_AS_OF": args.as_of.isoformat()}  # fmt: skip
    peaks: dict[str, float] = {}
    print(f"{'step':<12} {'limit':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}  result")
    for name in args.steps.split(","):
        for limit in limits:
            command = [sys.executable, __file__, str(args.home), args.as_of.isoformat()]
            # One value for both caps: a step opens DuckDB in lipas's process or in dbt's.
            out = subprocess.run(
                [*command, "--child", name],
                env={**env, "LIPAS_DUCKDB_MEMORY_LIMIT": limit, "LIPAS_DBT_MEMORY_LIMIT": limit},
                capture_output=True,
                text=True,
                check=True,
            )
            fig = json.loads(out.stdout.strip().splitlines()[-1])
            label = limit
            peaks[label] = max(peaks.get(label, 0.0), fig["peak_mb"])
            verdict = "ok" if fig["ok"] else "FAILED " + fig["error"].replace("\n", " ")[-200:]
            print(f"{name:<12} {label:>8} {fig['wall']:>8.1f} {fig['cpu']:>8.1f} "
                  f"{fig['peak_mb']:>9,.0f}  {verdict}", flush=True)  # fmt: skip
    base = peaks.get("80%")
    for label, peak in peaks.items():
        ratio = f" = {peak / base:.2f}x DuckDB's own" if base and label != "80%" else ""
        print(f"highest step peak with {label}: {peak:,.0f} MB{ratio} (target < 1,500 MB)")


if __name__ == "__main__":
    main(sys.argv[1:])

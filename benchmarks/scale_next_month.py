"""One more month on a kept scale-simulation home: the nightly's dbt step, timed (issue 16).

`bench_scale.py --workdir DIR` keeps each size's home (DIR/<Bapas>x<years>/home). This adds
the month after the newest one in its ledger (raw rows synthesised in SQL, as bench_scale does)
and times the dbt build an ordinary night runs (`scale_measure.dbt_build_step`): wall, CPU and
peak RSS of the whole dbt process, and its slowest nodes. Run it on the 1-year and the 10-year
home of one Bapas count, the same number of times each, to compare like with like: the same
month of the year (a changed year is recomputed whole), and no re-parse on either side (the
first dbt run after a full refresh re-parses, as its memory cap changed).

`--full-refresh` first rebuilds the home in full under LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT and
prints that too (how the 4GB default was measured at 200 Bapas x 10 years).

    .venv/bin/python benchmarks/scale_next_month.py --workdir DIR --size 82x10 [--clients 1500]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_ingest import PeakRss
from benchmarks.bench_scale import judging_day, project_for
from benchmarks.scale_data import offices, synthesise
from benchmarks.scale_measure import dbt_build_step, slowest_nodes


def next_month(period: str) -> str:
    """The month after 'YYYY-MM'."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def timed_build(day_period: str, *, full_refresh: bool) -> str:
    """One dbt build as the nightly runs it, judged after `day_period`; a printable line."""
    day = judging_day(day_period)
    os.environ["LIPAS_AS_OF"] = day.isoformat()
    with PeakRss() as rss:
        began = time.perf_counter()
        dbt_build_step(day, full_refresh=full_refresh)()
        wall = time.perf_counter() - began
    slowest = ", ".join(f"{name} {secs:.1f}s" for name, secs in slowest_nodes())
    return (f"{wall:.1f} s wall, {rss.cpu_seconds:.1f} s CPU, peak RSS "
            f"{rss.peak / 2**20:,.0f} MB; slowest nodes: {slowest}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Add one month to the kept home and print the timings."""
    import duckdb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="bench_scale's --workdir")
    parser.add_argument("--size", required=True, help="e.g. 200x10 (Bapas x years)")
    parser.add_argument("--clients", type=int, default=1500, help="clients per Bapas-month")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild in full first")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    count = int(args.size.lower().split("x")[0])
    root = args.workdir.resolve() / args.size.lower()
    home = root / "home"
    warehouse = home / "warehouse" / "lipas.duckdb"
    if not warehouse.exists():
        raise SystemExit(f"no kept home at {home}: run bench_scale.py --workdir first")
    os.environ.update({"LIPAS_HOME": str(home), "LIPAS_ENV": "dev"})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select max(periode) from ledger.submissions where report_kind = 'monthly'"
        ).fetchone()
    latest = str(row[0]) if row and row[0] else None
    if latest is None:
        raise SystemExit(f"{warehouse} holds no monthly submission")
    with project_for(count, root):
        if args.full_refresh:
            print(f"{args.size} full refresh: {timed_build(latest, full_refresh=True)}", flush=True)
        month = next_month(latest)
        bapas, _ = offices(count)
        with duckdb.connect(str(warehouse)) as con:
            synthesise(con, bapas, [month], args.clients)
        print(f"{args.size} +1 month ({month}): {timed_build(month, full_refresh=False)}")


if __name__ == "__main__":
    main()

"""The PostgreSQL target's nightly input copy: one new month by submission vs the whole copy.

On PostgreSQL dbt reads raw, ledger and quality from a copy of the DuckDB warehouse. Until
issue 16's fifth pass every night copied all of it again (87 s at 200 Bapas x 3 years, more than
dbt's +1 month build there); raw tables now travel by submission. This benchmark takes a
warehouse `bench_scale.py --workdir DIR` left (DIR/<size>/home), removes its latest month from
raw, copies the history to a throwaway PostgreSQL 15 cluster (stock settings), puts the month
back and times:

- the +1 month copy (new submissions only), and
- the baseline measured in the same run: the same copy with the bookkeeping dropped, i.e. the
  whole copy every night did before.

    .venv/bin/python benchmarks/bench_pg_copy.py /work/benchdata/scale150/82x10/home
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the three copies and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("home", type=Path, help="LIPAS_HOME holding warehouse/lipas.duckdb")
    args = parser.parse_args(argv)

    import duckdb
    import psycopg2

    from benchmarks.pg_cluster import postgres_available, start_cluster
    from ingestion.postgres_copy import COPIED_SCHEMAS, COPY_BOOKKEEPING, copy_to_postgres

    if not postgres_available():
        raise SystemExit("PostgreSQL 15 server binaries are not installed")
    work = Path(tempfile.mkdtemp(prefix="lipas_bench_pgcopy_"))
    warehouse = work / "lipas.duckdb"
    shutil.copyfile(args.home / "warehouse" / "lipas.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        row = con.execute(
            "select max(periode) from ledger.submissions where report_kind = 'monthly'"
        ).fetchone()
        month = str(row[0]) if row else ""
        tables = [
            str(r[0])
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
        ]
        latest = (
            "submission_id in (select submission_id from ledger.submissions"
            f" where periode = '{month}')"
        )
        for table in tables:
            kept = f"main.kept_{table}"
            con.execute(f"create table {kept} as select * from raw.{table} where {latest}")
            con.execute(f"delete from raw.{table} where {latest}")
    cluster = start_cluster(work / "pg")
    figures: dict[str, float] = {}
    try:

        def copy(label: str) -> float:
            began = time.perf_counter()
            with psycopg2.connect(cluster.dsn()) as pg:
                copied = copy_to_postgres(warehouse, pg, COPIED_SCHEMAS)
            seconds = time.perf_counter() - began
            raw = [c for c in copied if c.schema == "raw"]
            rows, by_submission = sum(c.rows for c in raw), sum(c.by_submission for c in raw)
            print(f"  {label:<44} {seconds:6.1f} s  raw rows written {rows:>10,}"
                  f"  by submission {by_submission}/{len(raw)}", flush=True)  # fmt: skip
            return seconds

        print(f"PostgreSQL input copy, {args.home}: history, then {month}")
        copy("history (first copy: whole)")
        with duckdb.connect(str(warehouse)) as con:
            for table in tables:
                con.execute(f"insert into raw.{table} select * from main.kept_{table}")
        figures["plus_one"] = copy(f"+1 month {month} (by submission)")
        with psycopg2.connect(cluster.dsn()) as pg, pg.cursor() as cur:
            cur.execute(f"drop table {'.'.join(COPY_BOOKKEEPING)}")
        figures["baseline"] = copy("baseline: the same night copied whole")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    ratio = figures["baseline"] / figures["plus_one"]
    print(f"+1 month copy {figures['plus_one']:.1f} s vs whole copy {figures['baseline']:.1f} s:"
          f" {ratio:.1f}x faster")  # fmt: skip
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])

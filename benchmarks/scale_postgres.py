"""The PostgreSQL half of the scale simulation (`bench_scale.py --postgres`, issue 16).

For one size it starts a throwaway PostgreSQL 15 cluster, copies the DuckDB warehouse's inputs
(raw, ledger, quality) the way the nightly does for LIPAS_DBT_TARGET=postgres
(`publishing.postgres.prepare_postgres_inputs`: every input table replaced as a whole), and
times `dbt build --full-refresh` on the history, then the +1 month: the copy again and
`dbt build` with the same command and environment as the DuckDB +1 dbt step. CPU and memory
include the server's processes (`benchmarks.pg_cluster.ClusterPeakRss`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from pathlib import Path

from benchmarks.bench_ingest import PeakRss
from benchmarks.pg_cluster import ClusterPeakRss, PgCluster, start_cluster
from benchmarks.scale_measure import Figures, dbt_build_step, measure, slowest_nodes

TARGET = "postgres"


def _copy_inputs() -> object:
    from core.settings import load_settings
    from publishing.postgres import prepare_postgres_inputs

    return prepare_postgres_inputs(load_settings())


class PostgresSide:
    """One size's cluster: `history` after the DuckDB history steps, `next_month` after +1.

    Sets LIPAS_PG_* in os.environ (bench_scale restores the environment after each size).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.figures = Figures()
        self.cluster: PgCluster | None = None

    def __enter__(self) -> PostgresSide:
        return self

    def _start(self) -> None:
        """The cluster starts only now: idle through the DuckDB steps, it would still use memory."""
        shutil.rmtree(self.root, ignore_errors=True)  # a killed run's data dir (--resume)
        self.cluster = start_cluster(self.root)
        os.environ.update(self.cluster.env())

    def __exit__(self, *exc: object) -> None:
        if self.cluster is not None:
            self.cluster.stop()

    def _meter(self) -> PeakRss:
        assert self.cluster is not None
        return ClusterPeakRss(self.cluster.postmaster_pid())

    def history(self, day: dt.date) -> None:
        """Copy the history's inputs and build everything (`--full-refresh`)."""
        self._start()
        measure(self.figures, "pg copy", _copy_inputs, self._meter())
        build = dbt_build_step(day, full_refresh=True, target=TARGET)
        measure(self.figures, "pg full", build, self._meter())

    def next_month(self, day: dt.date) -> None:
        """Copy the inputs again (with the new month) and build incrementally."""
        measure(self.figures, "+1 pg copy", _copy_inputs, self._meter())
        build = dbt_build_step(day, full_refresh=False, target=TARGET)
        measure(self.figures, "+1 pg dbt", build, self._meter())
        slowest = ", ".join(f"{name} {secs:.1f}s" for name, secs in slowest_nodes(TARGET))
        print(f"    slowest nodes of the +1 month PostgreSQL build: {slowest}", flush=True)


def report_beside(rows: list[tuple[str, dict[str, float], dict[str, float], Figures]]) -> None:
    """Full build, +1 month and their ratio for DuckDB and PostgreSQL, per size.

    `rows`: (size, DuckDB seconds, DuckDB CPU, PostgreSQL figures). DuckDB CPU is this process
    and dbt (DuckDB runs inside dbt); PostgreSQL CPU is dbt plus the server's processes. The
    +1 month on PostgreSQL also copies every input table again, so it is shown with the copy.
    """
    print("\nPostgreSQL beside DuckDB (s; CPU = dbt + this process, + the postgres server):")
    print(f"{'size':<7} {'target':<9} {'unit':<5} {'copy':>8} {'full':>8} {'+1 copy':>8} "
          f"{'+1 dbt':>8} {'+1/full':>8} {'+1 with copy/full with copy':>28}")  # fmt: skip
    nan = math.nan
    for label, seconds, cpu, pg in rows:
        for unit, duck, pgv in (("wall", seconds, pg.seconds), ("CPU", cpu, pg.cpu)):
            full, plus = duck.get("full", nan), duck.get("+1 dbt", nan)
            print(f"{label:<7} {'duckdb':<9} {unit:<5} {'-':>8} {full:8.1f} {'-':>8} "
                  f"{plus:8.1f} {plus / full:8.2f} {'-':>28}")  # fmt: skip
            copy, full = pgv.get("pg copy", nan), pgv.get("pg full", nan)
            copy1, plus = pgv.get("+1 pg copy", nan), pgv.get("+1 pg dbt", nan)
            with_copy = (copy1 + plus) / (copy + full)
            print(f"{label:<7} {'postgres':<9} {unit:<5} {copy:8.1f} {full:8.1f} {copy1:8.1f} "
                  f"{plus:8.1f} {plus / full:8.2f} {with_copy:28.2f}")  # fmt: skip
        peak = max(pg.rss_mb.values(), default=nan)
        server = max(pg.server_mb.values(), default=nan)
        print(f"{label:<7} postgres peak RSS {peak:,.0f} MB (of which server PSS {server:,.0f} MB)")

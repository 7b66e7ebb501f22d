"""A small working warehouse (marts, reference, staging, raw) with known counts, and its docs."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

PERIODS = ("2025-01", "2025-02", "2025-03")
BAPAS = ("BP3501", "BP3502", "BP3201")


def build_working_warehouse(path: Path, clients_per_month: int = 4) -> None:
    """Write marts, reference, staging and raw tables like the pipeline's, with known counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists reference")
        con.execute("create schema if not exists staging")
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table reference.ref_kanwil as "
            "select * from (values ('KW35', 'Kanwil Jawa Timur'), ('KW32', 'Kanwil Jawa Barat')) "
            "as t (kode_kanwil, nama_kanwil)"
        )
        con.execute(
            "create or replace table marts.dim_bapas as "
            "select * from (values ('BP3501', 'KW35'), ('BP3502', 'KW35'), ('BP3201', 'KW32')) "
            "as t (bapas_code, kanwil_code)"
        )
        con.execute(
            """
            create or replace table marts.fct_client_month as
            select b.bapas_code, p.period, 'C' || i as register_no, i % 2 = 0 as is_reached
            from marts.dim_bapas as b
            cross join (select unnest(?) as period) as p
            cross join range(?) as r (i)
            """,
            [list(PERIODS), clients_per_month],
        )
        con.execute(
            """
            create or replace table marts.mart_client_reach as
            select 'bapas' as geo_level, bapas_code as geo_code, 'month' as period_grain, period,
                count(*) as active_clients, count(*) filter (where is_reached) as reached_clients,
                count(*) filter (where is_reached) / count(*) as reach_rate
            from marts.fct_client_month
            group by all
            """
        )
        # Not published: staging and raw stay inside the working warehouse.
        con.execute("create or replace table staging.stg_secret as select 1 as x")
        con.execute("create or replace table raw.monthly_klien as select 'nik-hash' as client_key")
    finally:
        con.close()


def write_manifest(path: Path) -> Path:
    """A minimal dbt manifest documenting two marts (one description has a quote in it)."""
    nodes = {
        "model.lipas.mart_client_reach": {
            "resource_type": "model",
            "name": "mart_client_reach",
            "alias": "mart_client_reach",
            "schema": "marts",
            "description": "Reach: share of active clients who attended an activity. Don't sum.",
            "original_file_path": "models/marts/indicators/mart_client_reach.sql",
            "columns": {
                "reach_rate": {"description": "reached / active", "data_type": "double"},
                "ghost_column": {"description": "documented but not built"},
            },
        },
        "model.lipas.stg_secret": {
            "resource_type": "model",
            "name": "stg_secret",
            "schema": "staging",
            "description": "staging is never published",
            "columns": {},
        },
    }
    path.write_text(json.dumps({"nodes": nodes, "metadata": {}}), encoding="utf-8")
    return path

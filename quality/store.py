"""DDL of the quality.* tables (the quality -> dbt/alerts interface), from core.interface_tables."""

from __future__ import annotations

import duckdb

from core.interface_tables import QUALITY_SCHEMA, QUALITY_TABLES


def ensure_quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the quality schema and tables if missing (idempotent, layouts as declared)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {QUALITY_SCHEMA}")
    for table in QUALITY_TABLES:
        con.execute(table.create_sql())
        # Columns added after the first release: older warehouses get them on the next run.
        for statement in table.add_column_sql():
            con.execute(statement)

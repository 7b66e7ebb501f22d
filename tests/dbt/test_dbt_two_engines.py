"""The same project on PostgreSQL 15: same raw input (copied with ingestion/postgres_copy.py),
same marts, same row counts and key figures as DuckDB."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pytest

from tests.dbt.conftest import DbtBuild
from tests.support.postgres_cluster import PgCluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.xdist_group("dbt"),
]

# Every mart and fact with the measures compared on both engines (all rows, all grains).
MARTS: dict[str, tuple[str, ...]] = {
    "dim_bapas": ("bapas_code", "kanwil_code"),
    "dim_period": ("period", "period_start", "period_end"),
    "dim_pokmas": ("pokmas_version_key", "valid_from", "valid_to", "partner_count"),
    "fct_client_month": ("bapas_month_key", "register_no", "submission_id", "is_active_in_month"),
    "fct_participation": ("bapas_month_key", "activity_code", "register_no", "attended"),
    "fct_activity": ("activity_id", "cost_idr", "attended_count"),
    "mart_client_reach": ("geo_code", "period", "active_clients", "reached_clients", "reach_rate"),
    "mart_need_coverage": ("geo_code", "period", "need_code", "clients_with_need", "coverage_rate"),
    "mart_pokmas_performance": (
        "geo_code", "period", "activities", "total_cost_idr", "completion_rate",
        "minimum_groups_compliance_rate",
    ),
    "mart_funding_mix": ("geo_code", "period", "funding_source", "cost_idr", "cost_share"),
    "mart_plan_realisation": (
        "geo_code", "period", "need_code", "realised_clients", "target_clients",
    ),
    "mart_griya_abhipraya": ("geo_code", "period", "resident_months", "occupancy_rate"),
    "mart_supervision_outcomes": (
        "geo_code", "period", "participation_group", "clients", "checkin_attendance_rate",
    ),
    "mart_submission_compliance": (
        "geo_code", "period", "report_kind", "expected_reports", "on_time_rate",
        "mean_quality_score",
    ),
}  # fmt: skip


def normalise(value: Any) -> Any:
    """Engines differ in Python types (Decimal vs float, NaN vs None); compare values."""
    if value is None:
        return None
    if isinstance(value, bool | str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return None if math.isnan(number) else round(number, 9)


def rows_duckdb(build: DbtBuild, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    cols = ", ".join(columns)
    with duckdb.connect(str(build.warehouse), read_only=True) as con:
        rows = con.execute(f"select {cols} from marts.{table}").fetchall()
    return sorted((tuple(normalise(v) for v in r) for r in rows), key=repr)


def rows_postgres(
    cluster: PgCluster, table: str, columns: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    import psycopg2

    cols = ", ".join(columns)
    with psycopg2.connect(cluster.dsn()) as pg, pg.cursor() as cur:
        cur.execute(f"select {cols} from marts.{table}")
        rows = cur.fetchall()
    return sorted((tuple(normalise(v) for v in r) for r in rows), key=repr)


@pytest.mark.parametrize("table", sorted(MARTS))
def test_same_rows_on_both_engines(
    dbt_build: DbtBuild, dbt_postgres_build: PgCluster, table: str
) -> None:
    # Table and column names come from the MARTS constant above.
    columns = MARTS[table]
    on_duckdb = rows_duckdb(dbt_build, table, columns)
    on_postgres = rows_postgres(dbt_postgres_build, table, columns)
    assert len(on_duckdb) == len(on_postgres) > 0
    assert on_duckdb == on_postgres

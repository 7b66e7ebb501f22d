"""Incremental facts: a resubmission replaces exactly its Bapas-month, a late month is picked
up, and the incremental result equals a --full-refresh rebuild."""

from __future__ import annotations

import duckdb
import pytest

from tests.dbt.conftest import DbtBuild

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt")]

# Incremental models compared with their --full-refresh rebuild (batch_at, the run stamp, aside).
INCREMENTAL = (
    "fct_bapas_month",
    "fct_client_month",
    "fct_client_need",
    "fct_participation",
    "fct_activity",
    "mart_need_coverage",
    "mart_client_reach",
    "mart_pokmas_performance",
    "mart_funding_mix",
    "mart_griya_abhipraya",
    "mart_supervision_outcomes",
)


def test_stage1_held_the_first_version(dbt_build: DbtBuild) -> None:
    jan = [r for r in dbt_build.stage1_client_rows if r[0] == "BP1101|2025-01"]
    assert {r[1] for r in jan} == {"A1", "A2", "A3", "A9"}
    assert {r[2] for r in jan} == {"S1101-01-v1"}
    assert not [r for r in dbt_build.stage1_client_rows if r[0] == "BP1201|2025-02"]


def test_resubmission_replaces_its_bapas_month(dbt_build: DbtBuild) -> None:
    with duckdb.connect(str(dbt_build.warehouse), read_only=True) as con:
        rows = con.execute(
            "select bapas_month_key, register_no, submission_id from marts.fct_client_month "
            "order by all"
        ).fetchall()
    jan = [r for r in rows if r[0] == "BP1101|2025-01"]
    # v2 replaced v1: A9 is gone, A4 arrived, and every row carries the v2 id.
    assert {r[1] for r in jan} == {"A1", "A2", "A3", "A4"}
    assert {r[2] for r in jan} == {"S1101-01-v2"}
    # Other Bapas-months are untouched (same rows as after stage 1).
    untouched = [r for r in rows if r[0] not in ("BP1101|2025-01", "BP1201|2025-02")]
    before = [
        r for r in dbt_build.stage1_client_rows if r[0] not in ("BP1101|2025-01", "BP1201|2025-02")
    ]
    assert untouched == before
    # The late February report of BP1201 was picked up.
    assert {r[1] for r in rows if r[0] == "BP1201|2025-02"} == {"C1", "C2", "C3"}


@pytest.mark.parametrize("table", INCREMENTAL)
def test_incremental_equals_full_refresh(dbt_build: DbtBuild, table: str) -> None:
    assert dbt_build.full_refresh_warehouse is not None
    with duckdb.connect(str(dbt_build.warehouse), read_only=True) as con:
        con.execute(f"attach '{dbt_build.full_refresh_warehouse}' as twin (read_only)")
        columns = ", ".join(
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = "
                "'lipas' and table_schema = 'marts' and table_name = ? and column_name <> "
                "'batch_at' order by ordinal_position",
                [table],
            ).fetchall()
        )
        # Table names come from the INCREMENTAL constant, columns from the catalog.
        only_incremental = con.execute(
            f"select count(*) from (select {columns} from marts.{table} "
            f"except all select {columns} from twin.marts.{table})"
        ).fetchone()
        only_full = con.execute(
            f"select count(*) from (select {columns} from twin.marts.{table} "
            f"except all select {columns} from marts.{table})"
        ).fetchone()
        (total,) = con.execute(f"select count(*) from marts.{table}").fetchone() or (0,)
    assert only_incremental == (0,) and only_full == (0,)
    assert total > 0

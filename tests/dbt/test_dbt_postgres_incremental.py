"""An incremental `dbt run` after a build on PostgreSQL: the nightly's +1 month on that target.

Regression (issue 16, found by `benchmarks/bench_scale.py --postgres`): the second build on
PostgreSQL stopped at fct_client_need with "The source and target schemas on this incremental
model are out of sync!". Its contract creates need_code as text, while the view it reads gave
`character varying` (the ref_codes seed's varchar); on DuckDB both are VARCHAR, so only the
PostgreSQL target broke, and only from the second night on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.dbt.conftest import _env, run_checked
from tests.support.postgres_cluster import PgCluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.xdist_group("dbt"),
]


def _counts(cluster: PgCluster) -> dict[str, int]:
    with psycopg2.connect(cluster.dsn()) as pg, pg.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_name like 'fct%' order by 1"
        )
        names = [row[0] for row in cur.fetchall()]
        counts = {}
        for name in names:
            cur.execute(f'select count(*) from marts."{name}"')
            counts[name] = int(cur.fetchone()[0])
    return counts


def test_incremental_models_build_again_on_postgres(
    dbt_postgres_build: PgCluster, dbt_tmp: Path
) -> None:
    tmp = dbt_tmp / "postgres"
    env = _env(tmp, tmp / "unused.duckdb", target="postgres")
    env.update(dbt_postgres_build.env())
    before = _counts(dbt_postgres_build)
    # Fails the test with dbt's output when any incremental model's schema check fails.
    run_checked("run", env, tmp / "target", select=("config.materialized:incremental",))
    assert before.get("fct_client_need", 0) > 0
    assert _counts(dbt_postgres_build) == before  # same input: the same facts, none doubled


# The incremental facts whose SQL joins several staging legs (fct_bapas_month reads one).
LEG_FACTS = ("fct_client_need", "fct_client_month", "fct_activity", "fct_participation")


def _raw_scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if plan.get("Schema") == "raw" and "Relation Name" in plan:
        yield plan
    for child in plan.get("Plans", []):
        yield from _raw_scans(child)


def _unfiltered_raw_scans(cur: Any, query: str) -> list[str]:
    """Raw tables the plan of `query` reads without a condition on submission_id."""
    cur.execute("EXPLAIN (FORMAT JSON, VERBOSE) " + query)
    plan = cur.fetchone()[0][0]["Plan"]
    return sorted(
        scan["Relation Name"]
        for scan in _raw_scans(plan)
        if not any(
            "submission_id" in str(scan.get(key, ""))
            for key in ("Filter", "Index Cond", "Recheck Cond")
        )
    )


def _content(cur: Any, table: str) -> tuple[int, int]:
    """Row count and an order-free checksum of the rows without batch_at (the run's time)."""
    cur.execute(
        f"select count(*), coalesce(sum(hashtextextended((to_jsonb(t) - 'batch_at')::text, 0)), 0) "
        f'from marts."{table}" as t'
    )
    count, checksum = cur.fetchone()
    return int(count), int(checksum)


def test_raw_tables_indexed_on_submission_id(dbt_postgres_build: PgCluster) -> None:
    with psycopg2.connect(dbt_postgres_build.dsn()) as pg, pg.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'raw' and column_name = 'submission_id' "
            "except select tablename from pg_indexes "
            "where schemaname = 'raw' and indexdef like '%(submission_id)%'"
        )
        assert cur.fetchall() == []


def test_late_month_reads_only_its_raw_rows_on_postgres(
    dbt_postgres_build: PgCluster, dbt_tmp: Path
) -> None:
    """Two Bapas-months missing from the facts (late arrivals): every raw scan in the plans of
    the facts' incremental SQL is restricted to their submissions, and the run restores the rows.

    Two, not one: PostgreSQL turns a one-element IN list into `=`, which it does carry across
    joins, so the old SQL passed with one id and failed with two (a night brings hundreds)."""
    tmp = dbt_tmp / "postgres"
    env = _env(tmp, tmp / "unused.duckdb", target="postgres")
    env.update(dbt_postgres_build.env())
    target = tmp / "target_late"
    with psycopg2.connect(dbt_postgres_build.dsn()) as pg, pg.cursor() as cur:
        cur.execute(
            "select distinct submission_id from marts.fct_participation order by 1 desc limit 2"
        )
        late = [row[0] for row in cur.fetchall()]
        assert len(late) == 2
        before = {table: _content(cur, table) for table in LEG_FACTS}
        for table in LEG_FACTS:
            cur.execute(f'delete from marts."{table}" where submission_id = any(%s)', (late,))
    select = tuple(LEG_FACTS)
    run_checked("compile", env, target, select=select)
    compiled = {path.stem: path for path in (target / "compiled").rglob("fct_*.sql")}
    with psycopg2.connect(dbt_postgres_build.dsn()) as pg, pg.cursor() as cur:
        for table in LEG_FACTS:
            sql_text = compiled[table].read_text(encoding="utf-8")
            assert all(id_ in sql_text for id_ in late), f"{table} missed a late submission"
            assert _unfiltered_raw_scans(cur, sql_text) == [], table
    run_checked("run", env, target, select=select)
    with psycopg2.connect(dbt_postgres_build.dsn()) as pg, pg.cursor() as cur:
        assert {table: _content(cur, table) for table in LEG_FACTS} == before

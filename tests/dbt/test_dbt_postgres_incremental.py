"""An incremental `dbt run` after a build on PostgreSQL: the nightly's +1 month on that target.

Regression (issue 16, found by `benchmarks/bench_scale.py --postgres`): the second build on
PostgreSQL stopped at fct_client_need with "The source and target schemas on this incremental
model are out of sync!". Its contract creates need_code as text, while the view it reads gave
`character varying` (the ref_codes seed's varchar); on DuckDB both are VARCHAR, so only the
PostgreSQL target broke, and only from the second night on.
"""

from __future__ import annotations

from pathlib import Path

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

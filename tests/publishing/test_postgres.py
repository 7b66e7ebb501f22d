"""PostgreSQL target: the read-only lipas_analyst role, against a throwaway PostgreSQL 15."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import Settings
from publishing.postgres import grant_analyst_access, publish_to_postgres
from tests.publishing.pipeline_data import DBT_TARGET
from tests.publishing.test_analyst_guide import MAY_BE_EMPTY, QUERIES
from tests.support.postgres_cluster import PgCluster, module_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("publishing_postgres")]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    with module_cluster() as running:
        yield running


def connect(cluster: PgCluster, user: str | None = None, dbname: str | None = None) -> Any:
    import psycopg2

    return psycopg2.connect(
        host=cluster.host,
        port=cluster.port,
        user=user or cluster.user,
        dbname=dbname or cluster.dbname,
    )


def ensure_alice(owner: Any) -> None:
    """A login role for an analyst, member of the group role."""
    with owner.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = 'alice'")
        if cur.fetchone() is None:
            cur.execute("create role alice login")
        cur.execute("grant lipas_analyst to alice")
    owner.commit()


def execute(conn: Any, *statements: str) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.commit()


@pytest.fixture(scope="module")
def analyst(cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Marts built by the owner, access granted, and a login role `alice` in lipas_analyst."""
    from tests.publishing.warehouse_data import write_manifest

    manifest = write_manifest(tmp_path_factory.mktemp("manifest") / "manifest.json")
    owner = connect(cluster)
    execute(
        owner,
        "create schema marts",
        "create schema reference",
        "create schema staging",
        "create table marts.mart_client_reach (geo_code text, reach_rate double precision)",
        "insert into marts.mart_client_reach values ('BP3501', 0.5)",
        "create table reference.ref_kanwil (kode_kanwil text)",
        "create table staging.stg_secret (x int)",
    )
    first = grant_analyst_access(owner, manifest_path=manifest)
    second = grant_analyst_access(owner, manifest_path=manifest)
    ensure_alice(owner)
    # Built by dbt after the grant: default privileges must cover it.
    execute(owner, "create table marts.mart_later (n int)")
    assert first == second
    assert (first.schemas, first.tables, first.comments) == (("marts", "reference"), 2, 2)
    conn = connect(cluster, "alice")
    try:
        yield conn
    finally:
        conn.close()
        owner.close()


def query(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.rollback()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("select * from marts.mart_client_reach", [("BP3501", 0.5)], id="mart"),
        pytest.param("select count(*) from reference.ref_kanwil", [(0,)], id="reference"),
        pytest.param("select count(*) from marts.mart_later", [(0,)], id="table built later"),
        pytest.param(
            "select obj_description('marts.mart_client_reach'::regclass)",
            [("Reach: share of active clients who attended an activity. Don't sum.",)],
            id="table comment",
        ),
        pytest.param(
            "select col_description('marts.mart_client_reach'::regclass, 2)",
            [("reached / active",)],
            id="column comment",
        ),
    ],
)
def test_analyst_can_read(analyst: Any, sql: str, expected: list[tuple[Any, ...]]):
    assert query(analyst, sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("insert into marts.mart_client_reach values ('x', 1)", id="insert"),
        pytest.param("delete from marts.mart_client_reach", id="delete"),
        pytest.param("create table marts.mine (x int)", id="create in marts"),
        pytest.param("select * from staging.stg_secret", id="staging not granted"),
    ],
)
def test_analyst_cannot_write_or_see_staging(analyst: Any, sql: str):
    import psycopg2

    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(analyst, sql)


@pytest.fixture(scope="module")
def pg_marts(cluster: PgCluster, pipeline_snapshot: Settings) -> Iterator[Any]:
    """The published snapshot served from PostgreSQL (its own database), as `lipas publish
    --postgres` does on the embedded DuckDB deployment."""
    admin = connect(cluster)
    admin.autocommit = True
    execute(admin, "create database guide")
    admin.close()
    owner = connect(cluster, dbname="guide")
    result = publish_to_postgres(
        pipeline_snapshot,
        owner,
        manifest_path=pipeline_snapshot.home / DBT_TARGET / "manifest.json",
    )
    ensure_alice(owner)
    owner.close()
    assert result.tables >= 18
    assert result.comments > 100
    conn = connect(cluster, "alice", dbname="guide")
    try:
        yield conn
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.xdist_group("analyst_guide_pipeline")
@pytest.mark.parametrize(("title", "sql"), [pytest.param(t, s, id=t) for t, s in QUERIES])
def test_guide_query_runs_on_postgres_as_analyst(analyst: Any, pg_marts: Any, title: str, sql: str):
    rows = query(pg_marts, sql)

    if title not in MAY_BE_EMPTY:
        assert rows, f"{title}: no rows on PostgreSQL"

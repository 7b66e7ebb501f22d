"""`lipas build --target postgres` takes an empty PostgreSQL database to a built, served warehouse.

Regression (issue 14 item 1): on a fresh database the build stopped with `relation
"ledger.submissions" does not exist` (no command copied the inputs), the error printed ANSI
colour codes as text and said only "output above", and `lipas publish --postgres` as a
database owner without CREATEROLE printed a traceback ("permission denied to create role").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from tests.support.postgres_cluster import PgCluster, module_cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("pg_build")]

AS_OF = dt.date(2025, 3, 20)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    with module_cluster() as running:
        yield running


def _ingested_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two Bapas, one month, ingested and checked into the DuckDB warehouse (dbt not run)."""
    from core.settings import load_settings
    from ingestion.pipeline import ingest_landing
    from quality.runner import run_checks
    from synthetic.generate import generate

    monkeypatch.setenv("LIPAS_HOME", str(home))
    monkeypatch.setenv("LIPAS_ENV", "dev")
    settings = load_settings()
    settings.ensure_dirs()
    generate(out=settings.landing_dir, start="2025-02", months=1, seed=7, bapas=2, scale=0.05)
    ingest_landing(settings)
    run_checks(settings, as_of=AS_OF, with_gx=False, data_docs=False)


def _query(cluster: PgCluster, sql: str) -> list[tuple[Any, ...]]:
    import psycopg2

    conn = psycopg2.connect(cluster.dsn())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall()) if cur.description else []
    finally:
        conn.close()


def test_fresh_database_to_served_warehouse(
    cluster: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingested_home(tmp_path / "home", monkeypatch)
    for name, value in cluster.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LIPAS_AS_OF", AS_OF.isoformat())
    # Own dbt target and log folders: other sessions build the same project concurrently.
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    runner = CliRunner()

    # A database owner without CREATEROLE: one message with the SQL for the DBA, exit 1.
    _query(cluster, "create role site_owner login")
    _query(cluster, "create database site_db owner site_owner")
    denied = runner.invoke(
        build_app(),
        ["publish", "--postgres"],
        env={"LIPAS_PG_USER": "site_owner", "LIPAS_PG_DBNAME": "site_db",
             "LIPAS_DBT_TARGET": "postgres"},
    )  # fmt: skip
    assert denied.exit_code == 1, denied.output
    assert "Traceback" not in denied.output
    assert 'CREATE ROLE "lipas_analyst" NOLOGIN;' in denied.output
    assert "CREATEROLE" in denied.output

    # Without the input copy dbt fails: plain text, naming the failing nodes.
    failed = runner.invoke(build_app(), ["build", "--target", "postgres", "--no-copy-inputs"])
    assert failed.exit_code == 1
    assert "\x1b[" not in failed.output and "[0m" not in failed.output
    assert 'relation "ledger.submissions" does not exist' in failed.output
    assert "error test.lipas.source_unique_ledger_submissions_submission_id" in failed.output

    # The documented command: copy, build and test, serve to the analyst role.
    built = runner.invoke(build_app(), ["build", "--target", "postgres"])
    assert built.exit_code == 0, built.output
    assert "inputs copied" in built.output and "lipas_analyst" in built.output
    assert _query(cluster, "select count(*) from ledger.submissions")[0][0] > 0
    assert _query(cluster, "select count(*) from marts.mart_client_reach")[0][0] > 0
    granted = _query(
        cluster, "select has_table_privilege('lipas_analyst', 'marts.mart_client_reach', 'select')"
    )
    assert granted == [(True,)]

"""Session fixtures: one staged DuckDB build (stage 1 run, stage 2 incremental build, a
full-refresh twin) and one PostgreSQL build of the same input, shared by every dbt test."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from core.settings import load_settings
from orchestration.dbt_invocation import DbtResult, dbt_command, dbt_env, run_dbt
from tests.dbt import fixture_data
from tests.support.postgres_cluster import PgCluster, module_cluster

AS_OF = "2025-03-12"
NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


@dataclass(frozen=True)
class DbtBuild:
    """Where a session build left its warehouse and artifacts."""

    warehouse: Path
    target_path: Path
    stage1_client_rows: list[tuple[str, str, str]]
    full_refresh_warehouse: Path | None = None


def run_checked(
    command: str,
    env: dict[str, str],
    target_path: Path,
    *,
    select: tuple[str, ...] = (),
    full_refresh: bool = False,
    extra_args: tuple[str, ...] = (),
) -> DbtResult:
    """Run one dbt command and fail the test session with dbt's output if it fails."""
    args = dbt_command(
        command,
        select=select,
        full_refresh=full_refresh,
        target_path=target_path,
        extra_args=extra_args,
    )
    result = run_dbt(args, env, target_path=target_path)
    if not result.success:
        pytest.fail(f"dbt {command} failed:\n{result.output[-8000:]}", pytrace=False)
    return result


def _env(tmp: Path, warehouse: Path, target: str = "duckdb") -> dict[str, str]:
    # The judging day reaches dbt the way lipas passes it (LIPAS_DBT_AS_OF), not as --vars.
    env = dbt_env(
        load_settings({"LIPAS_HOME": str(tmp)}),
        target=target,
        warehouse_path=warehouse,
        as_of_date=date.fromisoformat(AS_OF),
    )
    env["DBT_LOG_PATH"] = str(tmp / "dbt_logs")
    return env


@pytest.fixture(scope="session")
def dbt_tmp() -> Iterator[Path]:
    """A session folder outside pytest's basetemp, which concurrent pytest sessions prune."""
    path = Path(tempfile.mkdtemp(prefix="lipas_dbt_tests_"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def dbt_build(dbt_tmp: Path) -> DbtBuild:
    """Stage 1 (seeds + models), then the resubmission and the late report (`dbt build`,
    incremental), docs generate, then a copy rebuilt with --full-refresh for the equivalence test.
    """
    tmp = dbt_tmp / "duckdb"
    tmp.mkdir()
    warehouse = tmp / "lipas.duckdb"
    target_path = tmp / "target"
    fixture_data.build_input(str(warehouse), stages=(1,))
    env = _env(tmp, warehouse)
    # Stage 1 skips the tests (stage 2 runs them all): seeds + models only.
    run_checked("build", env, target_path, extra_args=NO_TESTS)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stage1 = con.execute(
            "select bapas_month_key, register_no, submission_id from marts.fct_client_month "
            "order by all"
        ).fetchall()
    with duckdb.connect(str(warehouse)) as con:
        fixture_data.load_stage(con, 2)
    run_checked("build", env, target_path)
    # Proves `dbt docs generate` works and gives the structure test a catalog.
    run_checked("docs generate", env, target_path, extra_args=("--no-compile",))
    # Same file name in another folder: dbt-duckdb qualifies views with the file's stem.
    (tmp / "twin").mkdir()
    twin = tmp / "twin" / "lipas.duckdb"
    shutil.copyfile(warehouse, twin)
    run_checked(
        "run",
        _env(tmp, twin),
        tmp / "target_full_refresh",
        select=("config.materialized:incremental",),
        full_refresh=True,
    )
    return DbtBuild(warehouse, target_path, stage1, twin)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL 15 cluster for the whole session (reusable by other packages)."""
    with module_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def dbt_postgres_build(dbt_build: DbtBuild, pg_cluster: PgCluster, dbt_tmp: Path) -> PgCluster:
    """The same raw input copied into PostgreSQL and built there with `dbt build`."""
    import psycopg2

    from ingestion.postgres_copy import copy_to_postgres

    tmp = dbt_tmp / "postgres"
    tmp.mkdir()
    with psycopg2.connect(pg_cluster.dsn()) as pg:
        copy_to_postgres(dbt_build.warehouse, pg)
    env = _env(tmp, tmp / "unused.duckdb", target="postgres")
    env.update(pg_cluster.env())
    run_checked("build", env, tmp / "target")
    return pg_cluster

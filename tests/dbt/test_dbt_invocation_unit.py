"""Fast tests of the dbt invocation helper and the PostgreSQL type mapping (no dbt run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.settings import DBT_PROJECT_DIR, load_settings
from ingestion.postgres_copy import PostgresCopyError, postgres_type
from orchestration.dbt_invocation import (
    AS_OF_ENV,
    dbt_command,
    dbt_env,
    dbt_target_path,
    dbt_vars,
    default_as_of_date,
    use_bytecode_cache,
)


def test_as_of_date_is_jakarta_today() -> None:
    # 18:30 UTC on 31 Dec is already 1 Jan in Jakarta (UTC+7).
    late_utc = dt.datetime(2025, 12, 31, 18, 30, tzinfo=ZoneInfo("UTC"))
    assert default_as_of_date(late_utc) == dt.date(2026, 1, 1)


def test_vars_carry_as_of_date_and_extras() -> None:
    values = json.loads(dbt_vars(dt.date(2025, 3, 12), {"period_spine_start": "2024-01-01"}))
    assert values == {"as_of_date": "2025-03-12", "period_spine_start": "2024-01-01"}


def test_env_sets_warehouse_path_from_settings(tmp_path: Path) -> None:
    settings = load_settings({"LIPAS_HOME": str(tmp_path)})
    env = dbt_env(settings, base={"LIPAS_PG_HOST": "db"})
    assert env["LIPAS_WAREHOUSE_PATH"] == str(tmp_path / "warehouse" / "lipas.duckdb")
    assert env["LIPAS_DBT_TARGET"] == "duckdb"
    assert env["LIPAS_PG_HOST"] == "db"


def test_env_carries_the_judging_day_and_the_warehouse_target_folder(tmp_path: Path) -> None:
    # Issue 16: per-run values as --vars (and one target folder for every home) cost each dbt
    # process a full re-parse; they travel as env vars, the parse state stays per warehouse.
    settings = load_settings({"LIPAS_HOME": str(tmp_path)})
    env = dbt_env(settings, target="postgres", base={}, as_of_date=dt.date(2025, 3, 12))
    assert env[AS_OF_ENV] == "2025-03-12"
    assert env["DBT_TARGET"] == env["LIPAS_DBT_TARGET"] == "postgres"
    assert env["DBT_TARGET_PATH"] == str(tmp_path / "warehouse" / "dbt" / "postgres")
    assert Path(env["DBT_TARGET_PATH"]) == dbt_target_path(settings, "postgres")
    other = dbt_env(settings, base={}, warehouse_path=tmp_path / "twin" / "lipas.duckdb")
    assert other["DBT_TARGET_PATH"] == str(tmp_path / "twin" / "dbt" / "duckdb")


def test_env_judging_day_follows_lipas_as_of_and_keeps_a_given_target_path(
    tmp_path: Path,
) -> None:
    settings = load_settings({"LIPAS_HOME": str(tmp_path)})
    env = dbt_env(settings, base={"LIPAS_AS_OF": "2025-04-20", "DBT_TARGET_PATH": "/x/target"})
    assert env[AS_OF_ENV] == "2025-04-20"
    assert env["DBT_TARGET_PATH"] == "/x/target"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            {"PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": "/c"},
            {"XDG_CACHE_HOME": "/c", "PYTHONPYCACHEPREFIX": "/c/lipas/pycache"},
            id="no bytecode written: cache it outside the venv",
        ),
        pytest.param(
            {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": "/mine"},
            {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": "/mine"},
            id="a chosen cache folder is kept",
        ),
        pytest.param({}, {}, id="bytecode allowed: nothing to do"),
    ],
)
def test_bytecode_cache(given: dict[str, str], expected: dict[str, str]) -> None:
    env = dict(given)
    use_bytecode_cache(env)
    assert env == expected


def test_command_points_at_the_project() -> None:
    args = dbt_command("docs generate", select=("marts",), full_refresh=True, vars_json="{}")
    assert args[1:3] == ["docs", "generate"]
    assert args[args.index("--project-dir") + 1] == str(DBT_PROJECT_DIR)
    assert args[args.index("--profiles-dir") + 1] == str(DBT_PROJECT_DIR)
    assert "--full-refresh" in args and args[args.index("--select") + 1] == "marts"


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        pytest.param("VARCHAR", "text", id="strings are text, as contracts expect"),
        pytest.param("DECIMAL(18,2)", "numeric(18,2)", id="rupiah keeps its scale"),
        pytest.param("TIMESTAMP", "timestamp", id="naive UTC stays naive"),
        pytest.param("DOUBLE", "double precision", id="double"),
    ],
)
def test_postgres_type(duckdb_type: str, expected: str) -> None:
    assert postgres_type(duckdb_type) == expected


def test_postgres_type_refuses_unknown() -> None:
    with pytest.raises(PostgresCopyError, match="MAP"):
        postgres_type("MAP(VARCHAR, INTEGER)")

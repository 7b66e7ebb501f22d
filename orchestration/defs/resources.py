"""Resources: where the pipeline lives (LIPAS_HOME), how dbt is invoked, and how mail goes out."""

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from ingestion.settings import DBT_PROJECT_DIR, Settings, load_settings

# Every step that opens the DuckDB warehouse runs in this pool; the instance limits it to one
# (see orchestration/dagster.yaml) because DuckDB allows a single writing process at a time.
WAREHOUSE_POOL = "duckdb_warehouse"
OWNER = "team:data-quality"


class LipasResource(dg.ConfigurableResource):
    """Resolves the pipeline settings; `home` overrides LIPAS_HOME (tests point it at a tmp dir)."""

    home: str | None = None

    def settings(self) -> Settings:
        """Settings from the environment, with `home` taking precedence when configured."""
        env = dict(os.environ)
        if self.home:
            env["LIPAS_HOME"] = self.home
        settings = load_settings(env)
        settings.ensure_dirs()
        return settings


def dbt_executable() -> str:
    """The venv's own dbt, so `.venv/bin/lipas` works without an activated venv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def build_dbt_resource(target: str) -> DbtCliResource:
    """Dbt CLI resource for the configured target (duckdb or postgres)."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        target=target,
        dbt_executable=dbt_executable(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Bind resources; paths and secrets come from the environment at load time, not import."""
    home = dg.EnvVar("LIPAS_HOME").get_value() or None
    target = load_settings().dbt_target
    return dg.Definitions(
        resources={
            "lipas": LipasResource(home=home),
            "dbt": build_dbt_resource(target),
        }
    )

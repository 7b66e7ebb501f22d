"""Resources: where the pipeline lives (LIPAS_HOME), how dbt is invoked, and how mail goes out."""

import dataclasses
import datetime as dt
import importlib.metadata
import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging.version import Version

if TYPE_CHECKING:
    from quality.alerts.config import MailConfig

from core.settings import DBT_PROJECT_DIR, Settings, load_settings

# Every step that opens the DuckDB warehouse runs in this pool; the instance limits it to one
# (see orchestration/dagster.yaml) because DuckDB allows a single writing process at a time.
WAREHOUSE_POOL = "duckdb_warehouse"
OWNER = "team:data-quality"


class LipasResource(dg.ConfigurableResource):
    """Pipeline settings; `home` overrides LIPAS_HOME, `as_of` (YYYY-MM-DD) replays a past day.

    `as_of` (env LIPAS_AS_OF) is the "today" that deadlines, missing reports and the report
    period are judged against; unset means the instance file's day, else today in Asia/Jakarta
    (resolved by `quality.config.judging_day`, the same function every CLI command uses).
    """

    home: str | None = None
    as_of: str | None = None

    def as_of_date(self) -> dt.date:
        """The judging day: this resource's as_of, else LIPAS_AS_OF, the instance file, today."""
        from quality.config import judging_day

        flag = dt.date.fromisoformat(self.as_of) if self.as_of else None
        return judging_day(flag, home=self.settings().home)

    def settings(self) -> Settings:
        """Settings from the environment, with `home` taking precedence when configured."""
        settings = load_settings(home=Path(self.home) if self.home else None)
        settings.ensure_dirs()
        return settings


class MailResource(dg.ConfigurableResource):
    """SMTP delivery settings for the alert summary, read from the registry when a run uses them.

    Like `LipasResource`, the resource reads the declared LIPAS_* settings itself at run time;
    `smtp_password` only overrides LIPAS_SMTP_PASSWORD (e.g. a test or a run's config).
    """

    smtp_password: str | None = None

    def mail_config(self) -> "MailConfig":
        """Mail settings from LIPAS_SMTP_* / LIPAS_MAIL_*, with the password from the resource."""
        from quality.alerts.config import load_mail_config

        config = load_mail_config()
        if self.smtp_password:
            config = dataclasses.replace(config, password=self.smtp_password)
        return config


def dbt_executable() -> str:
    """The venv's own dbt, so `.venv/bin/lipas` works without an activated venv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


class LipasDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without the two things it does before every dbt call, unused here.

    Before each `cli()` dagster-dbt runs `dbt --version` in a subprocess and builds dbt's
    adapter inside the Dagster process (profile, project, macros). The adapter serves only
    `fetch_row_counts` and `fetch_column_metadata`, which no asset here calls: the two cost the
    nightly's dbt step 3-4 s and the run process the memory of dbt-core's loaded adapter
    (issue 16). The version is the installed dbt-core's: the venv's dbt is that package.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None  # dagster-dbt treats a missing adapter as "no metadata to fetch"


def build_dbt_resource(target: str) -> DbtCliResource:
    """Dbt CLI resource for the configured target (duckdb or postgres)."""
    return LipasDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        target=target,
        dbt_executable=dbt_executable(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Bind resources; every setting, secrets included, is read from the registry when used.

    LIPAS_HOME and LIPAS_AS_OF are read when a run uses the resource, not here: a process loads
    the code location once, and a home bound at load time sent a later run in the same process
    (a second `lipas nightly` from Python, the test suite) to the first run's home.
    """
    target = load_settings().dbt_target
    return dg.Definitions(
        resources={
            "lipas": LipasResource(),
            "dbt": build_dbt_resource(target),
            "mail": MailResource(),
        }
    )

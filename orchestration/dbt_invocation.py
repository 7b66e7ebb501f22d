"""Run dbt for this project with the right project dir, profiles dir, env vars and vars.

The env/vars part (`dbt_env`, `dbt_vars`) is shared with the Dagster layer; `run_dbt` runs the
venv's dbt executable in a subprocess so each invocation gets a clean adapter state (dbt's
in-process runner keeps DuckDB connections and global flags between calls).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.settings import DBT_PROJECT_DIR, TIMEZONE, Settings

PG_ENV_VARS = (
    "LIPAS_PG_HOST",
    "LIPAS_PG_PORT",
    "LIPAS_PG_USER",
    "LIPAS_PG_PASSWORD",
    "LIPAS_PG_DBNAME",
)


@dataclass(frozen=True)
class DbtResult:
    """Outcome of one dbt invocation."""

    args: tuple[str, ...]
    returncode: int
    output: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """True when dbt exited with 0."""
        return self.returncode == 0


def default_as_of_date(now: dt.datetime | None = None) -> dt.date:
    """Today in Asia/Jakarta: the nightly run just after midnight there must see the new day."""
    current = now or dt.datetime.now(tz=ZoneInfo(TIMEZONE))
    return current.astimezone(ZoneInfo(TIMEZONE)).date()


def dbt_vars(as_of_date: dt.date | None = None, extra: Mapping[str, object] | None = None) -> str:
    """The `--vars` JSON every invocation passes (as_of_date first, then caller extras)."""
    values: dict[str, object] = {"as_of_date": (as_of_date or default_as_of_date()).isoformat()}
    values.update(extra or {})
    return json.dumps(values, sort_keys=True)


def dbt_env(
    settings: Settings,
    target: str | None = None,
    base: Mapping[str, str] | None = None,
    warehouse_path: Path | None = None,
) -> dict[str, str]:
    """Environment for dbt: LIPAS_WAREHOUSE_PATH and LIPAS_DBT_TARGET from settings.

    PostgreSQL connection variables (LIPAS_PG_*) pass through unchanged from `base`.
    """
    env = dict(os.environ if base is None else base)
    env["LIPAS_WAREHOUSE_PATH"] = str(warehouse_path or settings.warehouse_path)
    env["LIPAS_DBT_TARGET"] = target or settings.dbt_target
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def dbt_executable() -> Path:
    """The dbt console script of the running interpreter's environment."""
    return Path(sys.executable).parent / "dbt"


def dbt_command(
    command: str,
    *,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    vars_json: str | None = None,
    target_path: Path | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """Argument list for one dbt command (e.g. "build", "docs generate") against this project."""
    args = [
        str(dbt_executable()),
        *command.split(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    if vars_json:
        args += ["--vars", vars_json]
    if select:
        args += ["--select", *select]
    if full_refresh:
        args.append("--full-refresh")
    args += list(extra_args)
    return args


def _count_statuses(target_path: Path) -> dict[str, int]:
    """Counts per status from run_results.json (success, error, fail, warn, skipped, pass)."""
    results_file = target_path / "run_results.json"
    if not results_file.exists():
        return {}
    counts: dict[str, int] = {}
    for result in json.loads(results_file.read_text(encoding="utf-8")).get("results", []):
        status = str(result.get("status"))
        counts[status] = counts.get(status, 0) + 1
    return counts


def run_dbt(
    args: Sequence[str],
    env: Mapping[str, str],
    on_line: Callable[[str], None] | None = None,
    target_path: Path | None = None,
) -> DbtResult:
    """Run dbt (args from `dbt_command`), streaming each output line to `on_line`."""
    started = dt.datetime.now(tz=dt.UTC)
    lines: list[str] = []
    with subprocess.Popen(
        list(args),
        cwd=DBT_PROJECT_DIR,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        if proc.stdout is None:  # cannot happen with stdout=PIPE; keeps the type checker honest
            raise RuntimeError("dbt subprocess has no stdout pipe")
        for line in proc.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        returncode = proc.wait()
    seconds = (dt.datetime.now(tz=dt.UTC) - started).total_seconds()
    counts = _count_statuses(target_path or DBT_PROJECT_DIR / "target")
    return DbtResult(tuple(args), returncode, "".join(lines), seconds, counts)

"""Run dbt for this project with the right project dir, profiles dir, env vars and vars.

The env/vars part (`dbt_env`, `dbt_vars`) is shared with the Dagster layer; `run_dbt` runs the
venv's dbt executable in a subprocess so each invocation gets a clean adapter state (dbt's
in-process runner keeps DuckDB connections and global flags between calls).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, Settings

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
    failures: tuple[str, ...] = ()
    target_path: Path | None = None

    @property
    def success(self) -> bool:
        """True when dbt exited with 0."""
        return self.returncode == 0


def default_as_of_date(now: dt.datetime | None = None) -> dt.date:
    """The judging day (`quality.config.judging_day`); with `now`, today in Jakarta at `now`."""
    from quality.config import jakarta_today, judging_day

    return jakarta_today(now) if now is not None else judging_day()


def dbt_vars(as_of_date: dt.date | None = None, extra: Mapping[str, object] | None = None) -> str:
    """The `--vars` JSON every invocation passes (as_of_date first, then caller extras).

    Without `as_of_date` the judging day is resolved the one way every command and job uses
    (LIPAS_AS_OF, the instance file, else today in Jakarta).
    """
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
    # dbt's colour codes end up as literal "\x1b[31m" text in logs and our error messages.
    env["DBT_USE_COLORS"] = "false"
    env["DBT_USE_COLORS_FILE"] = "false"
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


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FAILED_STATUSES = ("error", "fail", "runtime error")


def strip_ansi(text: str) -> str:
    """Text without terminal colour codes (dbt adds them even when told not to, on some paths)."""
    return _ANSI.sub("", text)


def _read_results(target_path: Path, since: float = 0.0) -> tuple[dict[str, int], tuple[str, ...]]:
    """Counts per status from run_results.json, and one line per failed node.

    A failed node reads "error model.lipas.stg_x: relation "ledger.submissions" does not
    exist" so an operator sees what broke without scrolling through dbt's output.
    """
    results_file = target_path / "run_results.json"
    # A run that died before writing results must not report the previous run's.
    if not results_file.exists() or results_file.stat().st_mtime < since:
        return {}, ()
    counts: dict[str, int] = {}
    failures: list[str] = []
    for result in json.loads(results_file.read_text(encoding="utf-8")).get("results", []):
        status = str(result.get("status"))
        counts[status] = counts.get(status, 0) + 1
        if status in FAILED_STATUSES:
            message = strip_ansi(str(result.get("message") or "")).strip()
            # "Database Error in model x (path)" then the database's own words: keep both.
            lines = [line.strip() for line in message.splitlines() if line.strip()][:2]
            failures.append(f"{status} {result.get('unique_id')}: {' | '.join(lines)[:400]}")
    return counts, tuple(failures)


def run_dbt(
    args: Sequence[str],
    env: Mapping[str, str],
    on_line: Callable[[str], None] | None = None,
    target_path: Path | None = None,
) -> DbtResult:
    """Run dbt (args from `dbt_command`), streaming each output line to `on_line`.

    Results are read from `target_path`, else DBT_TARGET_PATH of `env`, else dbt_project/target.
    """
    started = dt.datetime.now(tz=dt.UTC)
    lines: list[str] = []
    began = time.time()
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
            line = strip_ansi(line)
            lines.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        returncode = proc.wait()
    seconds = (dt.datetime.now(tz=dt.UTC) - started).total_seconds()
    if target_path is None:
        target_path = Path(env.get("DBT_TARGET_PATH") or DBT_PROJECT_DIR / "target")
    counts, failures = _read_results(target_path, since=began - 1)
    return DbtResult(
        tuple(args), returncode, "".join(lines), seconds, counts, failures, target_path
    )

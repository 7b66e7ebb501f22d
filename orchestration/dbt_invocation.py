"""Run dbt for this project with the right project dir, profiles dir and environment.

The env part (`dbt_env`) is shared with the Dagster layer; `run_dbt` runs the venv's dbt
executable in a subprocess so each invocation gets a clean adapter state (dbt's in-process
runner keeps DuckDB connections and global flags between calls).

Start-up (issue 16): dbt re-parses the whole project (~10 s) when `--vars`, `--target` or the
profile's connection values differ from the run that wrote `partial_parse.msgpack`. So per-run
values never travel as `--vars`: the judging day is the env var LIPAS_DBT_AS_OF, read by the
as_of_date macro only at execution time (invisible to parsing); the target is always named
(DBT_TARGET, as Dagster's `--target` does); and each warehouse keeps its own target folder
next to it (`dbt_target_path`), so its parse state is never overwritten by another home's path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, Settings
from core.settings_registry import setting

# The judging day for the as_of_date macro; Python resolves it (quality.config.judging_day).
AS_OF_ENV = "LIPAS_DBT_AS_OF"
# dbt's DuckDB memory cap (dbt_project/profiles.yml) and the one a full refresh gets instead.
MEMORY_LIMIT_ENV = "LIPAS_DBT_MEMORY_LIMIT"
FULL_REFRESH_MEMORY_ENV = "LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT"
# First month the nightly's data tests read (dbt_project/macros/get_where_subquery.sql); unset
# means the whole history. Read at execute time only, so a new value keeps partial parsing.
TEST_SINCE_ENV = "LIPAS_DBT_TEST_SINCE"
# What an ordinary night's `dbt build` leaves out; CI, `lipas build`, a first build and every
# full refresh run it all (docs/warehouse.md, "Tests on a nightly build"):
# - unit tests: model logic on fixed rows, not tonight's data (they run when a model changes);
# - data tests on the client intermediates: views the incremental facts rebuild from the same
#   macros, whose keys the facts' own tests check on the stored rows; testing the views
#   recomputed them (issue 16: ~5 s of node time a night at national scale);
# - in_code_list (severity warn): the quality layer's GX validity judges the same code lists
#   (one seed) on every raw cell and names the cell for the clerk.
NIGHTLY_EXCLUDES = (
    "--exclude-resource-type",
    "unit_test",
    # One value, selectors space-separated: dagster-dbt takes a single value per --exclude.
    "--exclude",
    "test_name:in_code_list path:models/intermediate/clients,resource_type:test",
)
TARGET_DIR = "dbt"

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
    """A `--vars` JSON (as_of_date first, then caller extras) for one-off hand overrides.

    Not for regular runs: a `--vars` value that changes between runs makes dbt re-parse the
    whole project; `dbt_env` passes the judging day as LIPAS_DBT_AS_OF instead.
    """
    values: dict[str, object] = {"as_of_date": (as_of_date or default_as_of_date()).isoformat()}
    values.update(extra or {})
    return json.dumps(values, sort_keys=True)


def dbt_target_path(
    settings: Settings, target: str | None = None, warehouse_path: Path | None = None
) -> Path:
    """The dbt target folder of one warehouse and target: `<warehouse dir>/dbt/<target>`.

    It holds `partial_parse.msgpack`, whose profile hash includes the warehouse path: a folder
    shared by two homes (the old dbt_project/target) made every switch a full re-parse.
    """
    if warehouse_path is None:
        return settings.dbt_target_dir(target)
    return warehouse_path.parent / TARGET_DIR / (target or settings.dbt_target)


def dbt_env(
    settings: Settings,
    target: str | None = None,
    base: Mapping[str, str] | None = None,
    warehouse_path: Path | None = None,
    as_of_date: dt.date | None = None,
) -> dict[str, str]:
    """Environment for dbt: warehouse path, target, judging day and this warehouse's target dir.

    The judging day defaults to `quality.config.judging_day` for the settings' home. A
    DBT_TARGET_PATH already in `base` wins over ours. PostgreSQL connection variables
    (LIPAS_PG_*) pass through unchanged from `base`.
    """
    from quality.config import judging_day

    env = dict(os.environ if base is None else base)
    chosen = target or settings.dbt_target
    env["LIPAS_WAREHOUSE_PATH"] = str(warehouse_path or settings.warehouse_path)
    env["LIPAS_DBT_TARGET"] = chosen
    # Named explicitly so `lipas build` and Dagster's `--target` give dbt the same state hash.
    env["DBT_TARGET"] = chosen
    env[AS_OF_ENV] = (as_of_date or judging_day(environ=env, home=settings.home)).isoformat()
    env.setdefault("DBT_TARGET_PATH", str(dbt_target_path(settings, chosen, warehouse_path)))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    use_bytecode_cache(env)
    # dbt's colour codes end up as literal "\x1b[31m" text in logs and our error messages.
    env["DBT_USE_COLORS"] = "false"
    env["DBT_USE_COLORS_FILE"] = "false"
    return env


def use_bytecode_cache(env: MutableMapping[str, str]) -> None:
    """Let dbt's Python keep compiled bytecode, outside the venv, when it was told not to write any.

    With PYTHONDONTWRITEBYTECODE set (as in CI and sandboxed shells) every dbt process compiled
    its ~1,200 modules from source: 2+ s CPU of a ~5 s start (issue 16). A cache folder of our
    own keeps the source tree clean, which is what that variable is for. A PYTHONPYCACHEPREFIX
    already set is left alone.
    """
    if not env.get("PYTHONDONTWRITEBYTECODE") or env.get("PYTHONPYCACHEPREFIX"):
        return
    cache_home = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    env.pop("PYTHONDONTWRITEBYTECODE")
    env["PYTHONPYCACHEPREFIX"] = str(Path(cache_home) / "lipas" / "pycache")


def use_full_refresh_memory(env: MutableMapping[str, str]) -> None:
    """A `--full-refresh` build gets its own DuckDB memory cap (the full-refresh setting).

    The nightly cap (LIPAS_DBT_MEMORY_LIMIT, 600MB) keeps an ordinary night's peak under target
    (issue 16), but a full refresh rebuilds every fact at once: at 82 Bapas x 10 years x 1,500
    clients it ran out of memory under 600MB, at 200 Bapas x 10 years under 2GB (4GB passes).
    The profile reads the variable, so this dbt process and the next night's re-parse in full
    (~10 s each); a full refresh is rare and takes minutes, so that does not matter.
    """
    env[MEMORY_LIMIT_ENV] = setting(FULL_REFRESH_MEMORY_ENV).text(env)


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

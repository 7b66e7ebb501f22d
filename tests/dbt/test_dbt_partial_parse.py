"""dbt keeps its partial parse between runs whose judging day differs (issue 16).

A full parse costs ~10 s of every dbt process; it happened whenever `--vars`, the target or the
profile's connection values (the warehouse path) differed from the run that wrote the parse
state. These run the real dbt on a throwaway home, as lipas invokes it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import load_settings
from orchestration.dbt_invocation import DbtResult, dbt_command, dbt_env, dbt_vars, run_dbt

NO_CHANGES = "Partial parsing enabled, no changes found, skipping parsing"
REPARSE = "Unable to do partial parsing"


@pytest.fixture(scope="module")
def home() -> Iterator[Path]:
    """A LIPAS_HOME outside pytest's basetemp (parallel sessions prune each other's)."""
    path = Path(tempfile.mkdtemp(prefix="lipas_partial_parse_"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _run(home: Path, command: str, day: dt.date, vars_json: str | None = None) -> DbtResult:
    env = dbt_env(load_settings({"LIPAS_HOME": str(home)}), as_of_date=day)
    env["DBT_LOG_PATH"] = str(home / "dbt_logs")
    result = run_dbt(dbt_command(command, vars_json=vars_json, extra_args=("--debug",)), env)
    assert result.success, result.output[-4000:]
    return result


def test_a_new_judging_day_keeps_the_parse_and_reaches_the_sql(home: Path) -> None:
    _run(home, "parse", dt.date(2026, 1, 1))  # the first run of a home parses in full
    second = _run(home, "parse", dt.date(2026, 1, 2))
    assert NO_CHANGES in second.output and REPARSE not in second.output
    compiled = _run(home, "compile --select dim_period", dt.date(2026, 2, 3))
    assert REPARSE not in compiled.output
    sql = next((home / "warehouse" / "dbt" / "duckdb" / "compiled").rglob("dim_period.sql"))
    assert "cast('2026-02-03' as date)" in sql.read_text(encoding="utf-8")


def test_a_changing_vars_value_would_cost_a_full_parse(home: Path) -> None:
    # Why the judging day is not passed as --vars: the detector above must be able to fail.
    _run(home, "parse", dt.date(2026, 1, 1))
    with_vars = _run(home, "parse", dt.date(2026, 1, 1), dbt_vars(dt.date(2026, 1, 5)))
    assert REPARSE in with_vars.output

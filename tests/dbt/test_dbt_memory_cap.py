"""A full refresh runs dbt under its own DuckDB memory cap, not the nightly's.

Issue 16: at 82 Bapas x 10 years x 1,500 clients the full build ran out of memory under the
nightly's 600MB cap (twice in three runs). `use_full_refresh_memory` gives a full refresh
LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT; this asks dbt's own DuckDB connection which cap it got.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pytest

from core.settings import load_settings
from orchestration.dbt_invocation import dbt_command, dbt_env, run_dbt, use_full_refresh_memory


def _cap_in_dbt(env: dict[str, str]) -> str:
    query = "select current_setting('memory_limit') as m"
    result = run_dbt(dbt_command("show", extra_args=("--inline", query, "--output", "json")), env)
    assert result.returncode == 0, result.output[-2000:]
    shown = re.search(r"\{\s*\"show\".*\}", result.output, re.S)
    assert shown, result.output[-2000:]
    return str(json.loads(shown.group(0))["show"][0]["m"])


def _as_duckdb_shows(limit: str) -> str:
    with duckdb.connect(config={"memory_limit": limit}) as con:
        row = con.execute("select current_setting('memory_limit')").fetchone()
    return str(row[0]) if row else ""


def test_a_full_refresh_gets_its_own_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LIPAS_DBT_MEMORY_LIMIT", "LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings({"LIPAS_HOME": str(tmp_path / "home")})
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    env = dbt_env(settings, as_of_date=dt.date(2026, 1, 15))
    assert _cap_in_dbt(env) == _as_duckdb_shows("600MB")
    use_full_refresh_memory(env)
    assert _cap_in_dbt(env) == _as_duckdb_shows("4GB") != _as_duckdb_shows("600MB")
    env["LIPAS_DBT_FULL_REFRESH_MEMORY_LIMIT"] = "3GB"
    use_full_refresh_memory(env)
    assert _cap_in_dbt(env) == _as_duckdb_shows("3GB")

"""Operator commands meet a warehouse locked by another writer: one line, exit 1, no change.

Regression: `lipas reprocess` and `lipas release` printed DuckDB's lock traceback, `lipas purge`
DuckDB's raw message. The lock is held by a real second process. Dagster runs (`lipas nightly`,
`lipas run`) are not refused up front: they wait for each other through the warehouse pool
(tests/orchestration/test_nightly_job.py), and a run that meets a non-Dagster writer fails and is
announced like any failed run.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import duckdb
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings

HOLDER = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
    "print('ready', flush=True); sys.stdin.read()"
)


@pytest.fixture
def locked(lipas_home: Settings) -> Iterator[Settings]:
    """A warehouse whose write lock another process holds for the test's duration."""
    with duckdb.connect(str(lipas_home.warehouse_path)) as con:
        con.execute("create schema if not exists ledger")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lipas_home.warehouse_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield lipas_home
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["reprocess", "--submission", "sabc"], id="reprocess"),
        pytest.param(["release", "--submission", "sabc"], id="release"),
        pytest.param(["purge", "--submission", "sabc", "--reason", "x"], id="purge"),
    ],
)
def test_busy_warehouse_is_one_line_and_exit_1(locked: Settings, args: list[str]) -> None:
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "another ingestion or nightly run" in result.output
    assert "Traceback" not in result.output and "IOException" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1, result.output

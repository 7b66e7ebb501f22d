"""Nightly data tests read recent months only (issue 16), and still fail on a recent fault.

The project-wide `where: __lipas_recent__` (dbt_project.yml) is resolved by our
`get_where_subquery` from env LIPAS_DBT_TEST_SINCE: a test on a model with `period_month`
reads rows from that month on; without the variable it reads the whole history.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_invocation import TEST_SINCE_ENV, dbt_command, run_dbt
from tests.dbt.conftest import DbtBuild, _env

TEST = "in_code_list_stg_raw__monthly_clients_jenis_kelamin__sex"


@pytest.fixture(scope="module")
def faulty_history(dbt_build: DbtBuild, dbt_tmp: Path) -> tuple[Path, dict[str, str], str, str]:
    """A copy of the session warehouse with one client's sex code wrong in its oldest month."""
    tmp = dbt_tmp / "scope"
    tmp.mkdir()
    warehouse = tmp / "lipas.duckdb"
    shutil.copyfile(dbt_build.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        months = [
            str(r[0])
            for r in con.execute(
                "select distinct period_month from staging.stg_raw__monthly_clients order by 1"
            ).fetchall()
        ]
        oldest = con.execute(
            "select k.submission_id from raw.monthly_klien as k"
            " join ledger.submissions as s using (submission_id)"
            " where s.is_current and s.periode = ? limit 1",
            [months[0][:7]],
        ).fetchone()
        assert oldest is not None and len(months) >= 2
        con.execute(
            "update raw.monthly_klien set jenis_kelamin = 'X' where submission_id = ?",
            [oldest[0]],
        )
    return warehouse, _env(tmp, warehouse), months[0], months[-1]


def _failing_rows(tmp: Path, env: dict[str, str], since: str | None) -> int:
    """Rows the test flags (staging tests warn: clerk data is judged by the quality layer)."""
    run_env = dict(env)
    run_env.pop(TEST_SINCE_ENV, None)
    if since is not None:
        run_env[TEST_SINCE_ENV] = since
    target = tmp / "target"
    result = run_dbt(dbt_command("test", select=(TEST,), target_path=target), run_env,
                     target_path=target)  # fmt: skip
    assert result.success, result.output[-3000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return sum(int(r["failures"] or 0) for r in results if r["unique_id"].startswith("test."))


def test_nightly_scope_skips_old_months_and_full_run_catches_them(
    faulty_history: tuple[Path, dict[str, str], str, str],
) -> None:
    warehouse, env, oldest, newest = faulty_history
    tmp = warehouse.parent
    # No variable (CI, `lipas build`, a full refresh): the whole history, so the old fault fails.
    flagged = _failing_rows(tmp, env, None)
    assert flagged > 0
    # An ordinary night whose changed months start after the fault: that month is not re-read.
    assert _failing_rows(tmp, env, newest) == 0
    # A night that touched the faulty month (a resubmission, or the window start) reads it.
    assert _failing_rows(tmp, env, oldest) == flagged


def _compiled_test_sql(tmp: Path, env: dict[str, str], since: str, selector: str) -> list[str]:
    """Compiled SQL of the data tests `selector` picks, as an ordinary night compiles them."""
    run_env = dict(env) | {TEST_SINCE_ENV: since}
    target = tmp / "target-compiled"
    shutil.rmtree(target, ignore_errors=True)
    result = run_dbt(dbt_command("compile", select=(selector,), target_path=target), run_env,
                     target_path=target)  # fmt: skip
    assert result.success, result.output[-3000:]
    return [p.read_text(encoding="utf-8") for p in (target / "compiled").rglob("*.sql")]


def test_scope_adds_the_period_only_where_it_is_the_submissions_period(
    faulty_history: tuple[Path, dict[str, str], str, str],
) -> None:
    """A fact's `period` is its submission's ledger period (meta period_is_submission_period),
    so its tests also read `period >= since`, which lets DuckDB skip older row groups; the
    reports' `period` is the IDENTITAS cell, so their tests keep the id list alone."""
    warehouse, env, _, newest = faulty_history
    tmp, month = warehouse.parent, newest[:7]
    facts = _compiled_test_sql(tmp, env, newest, "test_type:data,fct_client_need")
    assert facts and all(f"period >= '{month}' and submission_id in (" in sql for sql in facts)
    reports = _compiled_test_sql(tmp, env, newest, "test_type:data,stg_raw__monthly_reports")
    assert reports and all("submission_id in (" in sql for sql in reports)
    assert not any("period >=" in sql for sql in reports)

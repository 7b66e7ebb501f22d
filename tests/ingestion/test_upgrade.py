"""Upgrade detection: a contract or model change is announced (and refreshed) by the nightly.

Issue #18 item 5: incremental facts only recompute recent periods, so a changed model used to
be discovered weeks later as numbers that disagree, not announced by the run that built them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from ingestion.upgrade import (
    changed_since_last_build,
    code_fingerprint,
    pending_full_refresh,
    record_build,
    record_warehouse_build,
)


def _project(root: Path) -> tuple[Path, Path]:
    dbt_dir = root / "dbt_project"
    (dbt_dir / "models" / "marts").mkdir(parents=True)
    (dbt_dir / "macros").mkdir()
    (dbt_dir / "dbt_project.yml").write_text("name: lipas\n")
    (dbt_dir / "models" / "marts" / "fct_a.sql").write_text("select 1 as a\n")
    contract = root / "contract.yaml"
    contract.write_text("version: 1\n")
    return dbt_dir, contract


def test_a_changed_model_or_contract_is_named_after_the_last_build(tmp_path: Path) -> None:
    """First build: nothing to announce; then each changed file is named once, until recorded."""
    dbt_dir, contract = _project(tmp_path)
    con = duckdb.connect()
    first = code_fingerprint(dbt_dir, contract)
    assert changed_since_last_build(con, first) == []
    record_build(con, first, dt.datetime(2025, 1, 1))
    assert changed_since_last_build(con, code_fingerprint(dbt_dir, contract)) == []

    (dbt_dir / "models" / "marts" / "fct_a.sql").write_text("select 2 as a\n")
    contract.write_text("version: 2\n")
    (dbt_dir / "models" / "marts" / "fct_b.sql").write_text("select 3 as b\n")
    changed = code_fingerprint(dbt_dir, contract)
    assert changed_since_last_build(con, changed) == [
        "contract.yaml",
        "dbt_project/models/marts/fct_a.sql",
        "dbt_project/models/marts/fct_b.sql",
    ]
    record_build(con, changed, dt.datetime(2025, 1, 2))
    assert changed_since_last_build(con, code_fingerprint(dbt_dir, contract)) == []


def test_the_repository_fingerprint_is_stable_in_a_warehouse(tmp_path: Path) -> None:
    """The real project: recorded once, the same checkout needs no full refresh."""
    warehouse = tmp_path / "lipas.duckdb"
    assert pending_full_refresh(warehouse) == []  # no warehouse yet: first build is full
    record_warehouse_build(warehouse)
    assert pending_full_refresh(warehouse) == []
    assert "core/contract/contract.yaml" in code_fingerprint().parts


def test_nightly_data_tests_read_changed_months_and_the_judging_window(tmp_path: Path) -> None:
    """None (whole history) before a first build; then the earliest month ingested since the
    last build, never later than the judging window's first month (issue 16)."""
    from ingestion.ledger import ensure_ledger_tables
    from ingestion.upgrade import data_tests_since

    warehouse = tmp_path / "lipas.duckdb"
    day = dt.date(2026, 11, 30)
    assert data_tests_since(warehouse, day, 3) is None  # no warehouse yet
    with duckdb.connect(str(warehouse)) as con:
        ensure_ledger_tables(con)
    assert data_tests_since(warehouse, day, 3) is None  # never built: test everything
    with duckdb.connect(str(warehouse)) as con:
        record_build(con, code_fingerprint(), dt.datetime(2026, 11, 1))
    # Nothing new: the judging window (3 months ending November) is still re-read.
    assert data_tests_since(warehouse, day, 3) == dt.date(2026, 9, 1)

    def ingested(period: str, at: dt.datetime, kind: str = "monthly") -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(
                "insert into ledger.submissions (submission_id, sha256, original_path,"
                " original_name, file_format, report_kind, periode, received_at, ingested_at,"
                " status, is_current)"
                " values (?, ?, 'x', 'x', 'xlsx', ?, ?, ?, ?, 'accepted', true)",
                [f"{period}-{at:%H%M}", "h", kind, period, at, at],
            )

    ingested("2024-02", dt.datetime(2026, 10, 1))  # before the last build: already tested
    ingested("2026-13", dt.datetime(2026, 11, 5))  # unreadable period of a rejected file
    ingested("2023", dt.datetime(2026, 11, 5), kind="annual_plan")  # plans have no month
    assert data_tests_since(warehouse, day, 3) == dt.date(2026, 9, 1)
    ingested("2025-06", dt.datetime(2026, 11, 20))  # a late resubmission of an old month
    assert data_tests_since(warehouse, day, 3) == dt.date(2025, 6, 1)

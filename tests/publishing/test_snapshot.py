"""Publishing: complete snapshot, comments, metadata, atomic swap, failures and blocked runs."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from core.settings import Settings
from publishing import parquet_export
from publishing.snapshot import (
    PublishError,
    publish_blocked,
    publish_snapshot,
    snapshot_path,
)
from publishing.status import read_status
from tests.publishing.warehouse_data import build_working_warehouse


def query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_publish_copies_marts_and_reference_only(working_warehouse: Settings, manifest: Path):
    result = publish_snapshot(working_warehouse, run_id="run-1", manifest_path=manifest)

    tables = {(t.schema, t.name): t.rows for t in result.tables}
    assert tables == {
        ("marts", "dim_bapas"): 3,
        ("marts", "fct_client_month"): 36,
        ("marts", "mart_client_reach"): 9,
        ("reference", "ref_kanwil"): 2,
    }
    published = query(
        result.snapshot_path,
        "select table_schema || '.' || table_name from information_schema.tables",
    )
    assert {row[0] for row in published} == {
        "marts.dim_bapas",
        "marts.fct_client_month",
        "marts.mart_client_reach",
        "reference.ref_kanwil",
        "main._published",
        "main._fingerprints",  # publish bookkeeping: counts and hashes per period
    }
    assert result.snapshot_path == working_warehouse.published_dir / "lipas.duckdb"
    assert not list(working_warehouse.published_dir.glob("*.tmp-*"))


def test_published_snapshot_carries_dbt_descriptions(working_warehouse: Settings, manifest: Path):
    result = publish_snapshot(working_warehouse, manifest_path=manifest)

    table_comment = query(
        result.snapshot_path,
        "select comment from duckdb_tables() where table_name = 'mart_client_reach'",
    )
    column_comments = query(
        result.snapshot_path,
        "select column_name, comment from duckdb_columns() "
        "where table_name = 'mart_client_reach' and comment is not null",
    )
    assert table_comment == [
        ("Reach: share of active clients who attended an activity. Don't sum.",)
    ]
    assert column_comments == [("reach_rate", "reached / active")]


def test_published_metadata_and_status(working_warehouse: Settings, manifest: Path):
    result = publish_snapshot(working_warehouse, run_id="run-42", manifest_path=manifest)

    rows = query(
        result.snapshot_path,
        "select run_id, table_name, row_count, cast(published_at as varchar) from _published "
        "where table_name = 'fct_client_month'",
    )
    status = read_status(working_warehouse.published_dir)
    assert rows == [("run-42", "fct_client_month", 36, result.published_at.replace("T", " "))]
    assert status is not None
    assert (status.state, status.run_id, status.last_published_at) == (
        "published",
        "run-42",
        result.published_at,
    )
    assert status.tables["marts.fct_client_month"] == 36


def test_republish_replaces_the_snapshot(working_warehouse: Settings, manifest: Path):
    publish_snapshot(working_warehouse, manifest_path=manifest)
    build_working_warehouse(working_warehouse.warehouse_path, clients_per_month=10)

    result = publish_snapshot(working_warehouse, run_id="run-2", manifest_path=manifest)

    assert query(result.snapshot_path, "select count(*) from marts.fct_client_month") == [(90,)]


def test_failed_publish_keeps_previous_snapshot(
    working_warehouse: Settings, manifest: Path, monkeypatch: pytest.MonkeyPatch
):
    first = publish_snapshot(working_warehouse, run_id="good", manifest_path=manifest)

    def broken_export(snapshot: Path, published_dir: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr("publishing.snapshot.export_parquet", broken_export)
    build_working_warehouse(working_warehouse.warehouse_path, clients_per_month=10)

    with pytest.raises(PublishError, match="disk full"):
        publish_snapshot(working_warehouse, run_id="bad", manifest_path=manifest)

    assert query(
        snapshot_path(working_warehouse), "select count(*) from marts.fct_client_month"
    ) == [(36,)]
    status = read_status(working_warehouse.published_dir)
    assert status is not None
    assert (status.state, status.run_id, status.last_published_at) == (
        "failed",
        "bad",
        first.published_at,
    )
    assert "disk full" in status.reason
    assert not list(working_warehouse.published_dir.glob("*.tmp-*"))


def test_publish_without_marts_is_refused(lipas_home: Settings):
    con = duckdb.connect(str(lipas_home.warehouse_path))
    con.execute("create schema raw; create table raw.x as select 1 as a")
    con.close()

    with pytest.raises(PublishError, match="no tables in schema marts"):
        publish_snapshot(lipas_home)

    assert not snapshot_path(lipas_home).exists()


def test_blocked_publish_records_reason_and_keeps_snapshot(
    working_warehouse: Settings, manifest: Path
):
    first = publish_snapshot(working_warehouse, manifest_path=manifest)

    publish_blocked(working_warehouse, "gx_expectations failed on mart_need_coverage", "run-9")

    data = json.loads((working_warehouse.published_dir / "_status.json").read_text())
    assert data["state"] == "blocked"
    assert data["reason"] == "gx_expectations failed on mart_need_coverage"
    assert data["last_published_at"] == first.published_at
    assert snapshot_path(working_warehouse).exists()


def test_old_leftover_temp_files_are_removed(working_warehouse: Settings, manifest: Path):
    published = working_warehouse.published_dir
    published.mkdir(parents=True, exist_ok=True)
    crashed, in_progress = (
        published / "lipas.duckdb.tmp-crashed",
        published / "lipas.duckdb.tmp-now",
    )
    for path in (crashed, in_progress):
        path.write_bytes(b"half a database")
    day_ago = time.time() - 24 * 3600
    os.utime(crashed, (day_ago, day_ago))

    publish_snapshot(working_warehouse, manifest_path=manifest)

    assert not crashed.exists()
    assert in_progress.exists()


def test_snapshot_file_is_read_only(working_warehouse: Settings, manifest: Path):
    result = publish_snapshot(working_warehouse, manifest_path=manifest)

    assert result.snapshot_path.stat().st_mode & 0o777 == 0o444


def test_parquet_export_single_file_and_partitioned(
    working_warehouse: Settings, manifest: Path, monkeypatch: pytest.MonkeyPatch
):
    # 36 client-month rows: partitioned by period at a threshold of 10; 9 reach rows are not.
    monkeypatch.setattr(parquet_export, "PARTITION_MIN_ROWS", 10)

    result = publish_snapshot(working_warehouse, manifest_path=manifest)

    parquet = working_warehouse.published_dir / "parquet"
    assert result.parquet_dir == parquet
    assert parquet.is_symlink()
    assert sorted(p.name for p in (parquet / "fct_client_month").iterdir()) == [
        "period=2025-01",
        "period=2025-02",
        "period=2025-03",
    ]
    assert [p.name for p in (parquet / "mart_client_reach").iterdir()] == [
        "mart_client_reach.parquet"
    ]
    frame = pd.read_parquet(parquet / "fct_client_month" / "period=2025-02")
    assert len(frame) == 12
    assert set(frame["period"]) == {"2025-02"}
    assert not (parquet / "reference").exists()


def test_parquet_versions_are_swapped_and_pruned(working_warehouse: Settings, manifest: Path):
    for _ in range(4):
        publish_snapshot(working_warehouse, manifest_path=manifest)

    versions = [
        p
        for p in working_warehouse.published_dir.glob("parquet-*")
        if p.is_dir() and not p.is_symlink()
    ]
    current = (working_warehouse.published_dir / "parquet").resolve()
    assert len(versions) == 2
    assert current in {v.resolve() for v in versions}


def test_external_copy_is_suppressed_and_has_no_row_level_tables(
    working_warehouse: Settings, manifest: Path
):
    result = publish_snapshot(working_warehouse, manifest_path=manifest, external_threshold=5)

    assert result.external_dir is not None
    names = sorted(p.name for p in result.external_dir.iterdir())
    assert names == ["dim_bapas.parquet", "mart_client_reach.parquet", "ref_kanwil.parquet"]
    reach = pd.read_parquet(result.external_dir / "mart_client_reach.parquet")
    # 4 active clients (hidden), 2 reached (hidden), so the rate is hidden as well.
    assert reach["active_clients"].isna().all()
    assert reach["reached_clients"].isna().all()
    assert reach["reach_rate"].isna().all()

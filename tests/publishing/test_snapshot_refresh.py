"""A snapshot built from the previous one holds exactly what a fresh copy would.

Issue 16: publishing now starts from a copy of the published file and replaces only the
periods that changed. These tests change the working warehouse between two publishes (one
period, a removed and an added table, a new column) and compare every published table with
the warehouse, row for row, and check the comments and `_published` are current.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from publishing import snapshot_refresh
from publishing.snapshot import publish_snapshot

PUBLISHED = ("marts", "reference")


def _tables(path: Path, catalog: str | None = None) -> set[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where list_contains(?, table_schema)",
            [list(PUBLISHED)],
        ).fetchall()
    return {(str(s), str(t)) for s, t in rows}


def _same_rows(snapshot: Path, warehouse: Path) -> None:
    """Every published table equals the warehouse's, as multisets of rows."""
    assert _tables(snapshot) == _tables(warehouse)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        con.execute(f"attach '{warehouse}' as w (read_only)")
        for schema, table in _tables(warehouse):
            name = f"{schema}.{table}"
            for left, right in ((name, f"w.{name}"), (f"w.{name}", name)):
                extra = con.execute(
                    f"select count(*) from (select * from {left} except all select * from {right})"
                ).fetchone()
                assert extra == (0,), (name, left)


def _replaced(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        m
        for r in caplog.records
        if "periods replaced" in (m := r.getMessage()) and " 0 of " not in m
    ]


def test_a_changed_period_is_replaced_and_the_rest_kept(
    working_warehouse: Settings, manifest: Path, caplog: pytest.LogCaptureFixture
) -> None:
    warehouse = working_warehouse.warehouse_path
    publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    with duckdb.connect(str(warehouse)) as con:
        found = con.execute("select distinct period from marts.fct_client_month").fetchall()
        periods = [r[0] for r in found]
        con.execute(
            "update marts.fct_client_month set is_reached = not is_reached"
            " where period = ? and register_no = 'C1'",
            [periods[0]],
        )
        con.execute("drop table marts.mart_client_reach")
        con.execute("create table marts.mart_new as select 1 as n")
    caplog.set_level(logging.INFO, logger="publishing.snapshot_refresh")
    result = publish_snapshot(working_warehouse, run_id="night-2", manifest_path=manifest)
    assert _replaced(caplog) == [f"fct_client_month: 1 of {len(periods)} periods replaced"]
    _same_rows(result.snapshot_path, warehouse)
    with duckdb.connect(str(result.snapshot_path), read_only=True) as con:
        runs = con.execute("select distinct run_id from main._published").fetchall()
        assert runs == [("night-2",)]
        listed = {r[0] for r in con.execute("select table_name from main._published").fetchall()}
        assert "mart_new" in listed and "mart_client_reach" not in listed


def test_a_new_column_or_a_fragmented_file_copies_whole(
    working_warehouse: Settings,
    manifest: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse = working_warehouse.warehouse_path
    publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.fct_client_month add column note varchar default 'x'")
    caplog.set_level(logging.INFO, logger="publishing.snapshot_refresh")
    result = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    assert _replaced(caplog) == []
    _same_rows(result.snapshot_path, warehouse)

    monkeypatch.setattr(snapshot_refresh, "MAX_FREE_SHARE", -1.0)  # every file "fragmented"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_client_month set note = 'y' where register_no = 'C0'")
    result = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    assert _replaced(caplog) == []
    _same_rows(result.snapshot_path, warehouse)


def test_comments_follow_the_docs_on_a_kept_table(
    working_warehouse: Settings, manifest: Path, tmp_path: Path
) -> None:
    publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    empty = tmp_path / "empty_manifest.json"
    empty.write_text('{"nodes": {}, "metadata": {}}', encoding="utf-8")
    result = publish_snapshot(working_warehouse, manifest_path=empty, parquet=False)
    with duckdb.connect(str(result.snapshot_path), read_only=True) as con:
        comments = con.execute(
            "select comment from duckdb_tables() where table_name = 'mart_client_reach'"
        ).fetchall()
        column = con.execute(
            "select comment from duckdb_columns()"
            " where table_name = 'mart_client_reach' and column_name = 'reach_rate'"
        ).fetchall()
    assert comments == [(None,)] and column == [(None,)]


def test_an_unreadable_previous_snapshot_means_a_fresh_copy(
    working_warehouse: Settings, manifest: Path
) -> None:
    first = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    first.snapshot_path.chmod(0o644)
    first.snapshot_path.write_bytes(b"not a duckdb file" * 100)
    result = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    _same_rows(result.snapshot_path, working_warehouse.warehouse_path)


def test_each_table_is_hashed_once_per_publish(
    working_warehouse: Settings,
    manifest: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Issue 16: a publish hashed a table three times (warehouse, copied snapshot, export); the
    # snapshot now records what it hashed (`_fingerprints`) and the other two read that.
    from publishing import parquet_export, parquet_partitions

    warehouse = working_warehouse.warehouse_path
    monkeypatch.setattr(parquet_export, "PARTITION_MIN_ROWS", 1)  # export fct_client_month too
    publish_snapshot(working_warehouse, manifest_path=manifest)
    with duckdb.connect(str(warehouse)) as con:
        first = con.execute("select min(period) from marts.fct_client_month").fetchone()
        con.execute(
            "update marts.fct_client_month set is_reached = not is_reached where period = ?",
            [first[0] if first else None],
        )
    hashed: list[str] = []
    real = parquet_partitions.table_fingerprints

    def spy(con: duckdb.DuckDBPyConnection, relation: str, **kwargs: Any) -> dict[str, object]:
        hashed.append(relation)
        return real(con, relation, **kwargs)

    for module in (snapshot_refresh, parquet_export):
        monkeypatch.setattr(module, "table_fingerprints", spy)
    caplog.set_level(logging.INFO, logger="publishing.snapshot_refresh")
    result = publish_snapshot(working_warehouse, run_id="night-2", manifest_path=manifest)
    assert [m for m in _replaced(caplog) if m.startswith("fct_client_month")] == [
        f"fct_client_month: 1 of {len(_periods(warehouse))} periods replaced"
    ]
    assert hashed and all(r.startswith('"') and r.count(".") == 2 for r in hashed), hashed
    assert len(hashed) == len(set(hashed))  # the warehouse's tables, each once
    _same_rows(result.snapshot_path, warehouse)
    exported = result.snapshot_path.parent / "parquet" / "fct_client_month"
    with duckdb.connect() as con:
        back = con.execute(
            f"select count(*) from read_parquet('{exported}/**/*.parquet', hive_partitioning=1)"
        ).fetchone()
    assert back == (sum(_periods(warehouse).values()),)


def _periods(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select period, count(*) from marts.fct_client_month group by period"
        ).fetchall()
    return {str(p): int(n) for p, n in rows}

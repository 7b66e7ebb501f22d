"""The Parquet export links the months that did not change and writes only the others.

Issue 16: every night rewrote every month of the large facts. These tests export twice around
a change and check, by inode, which month folders were written again, and that the second
export reads back exactly as the table.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from publishing import parquet_export
from publishing.parquet_export import export_parquet


def _snapshot(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_x as select"
            " '2025-0' || (1 + i % 3) as period, i as id, 'b' || (i % 7) as bapas_code"
            " from range(60) as r(i)"
        )
        con.execute("create table marts.small as select 1 as n")


def _inodes(folder: Path) -> dict[str, int]:
    return {
        f"{d.name}/{f.name}": f.stat().st_ino
        for d in sorted(folder.iterdir())
        if d.is_dir()
        for f in d.iterdir()
    }


def _read(folder: Path) -> list[tuple[object, ...]]:
    with duckdb.connect() as con:
        return con.execute(
            "select period, id, bapas_code from read_parquet(?, hive_partitioning = true)"
            " order by id",
            [str(folder / "*" / "*.parquet")],
        ).fetchall()


def _table(path: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select period, id, bapas_code from marts.fct_x order by id").fetchall()


@pytest.fixture(autouse=True)
def _small_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parquet_export, "PARTITION_MIN_ROWS", 10)


def test_only_changed_and_new_months_are_written_again(tmp_path: Path) -> None:
    snapshot, published = tmp_path / "snap.duckdb", tmp_path / "published"
    published.mkdir()
    _snapshot(snapshot)
    first = _inodes(export_parquet(snapshot, published).resolve() / "fct_x")
    assert set(first) == {f"period=2025-0{m}/data_0.parquet" for m in (1, 2, 3)}

    with duckdb.connect(str(snapshot)) as con:
        con.execute("update marts.fct_x set bapas_code = 'changed' where id = 4")  # 2025-02
        con.execute("insert into marts.fct_x values ('2025-04', 100, 'b1')")
    second_dir = export_parquet(snapshot, published).resolve() / "fct_x"
    second = _inodes(second_dir)
    assert second["period=2025-01/data_0.parquet"] == first["period=2025-01/data_0.parquet"]
    assert second["period=2025-03/data_0.parquet"] == first["period=2025-03/data_0.parquet"]
    assert second["period=2025-02/data_0.parquet"] != first["period=2025-02/data_0.parquet"]
    assert "period=2025-04/data_0.parquet" in second
    assert _read(second_dir) == _table(snapshot)


def test_a_new_column_writes_every_month_again(tmp_path: Path) -> None:
    snapshot, published = tmp_path / "snap.duckdb", tmp_path / "published"
    published.mkdir()
    _snapshot(snapshot)
    first = _inodes(export_parquet(snapshot, published).resolve() / "fct_x")
    with duckdb.connect(str(snapshot)) as con:
        con.execute("alter table marts.fct_x add column note varchar")
    second = _inodes(export_parquet(snapshot, published).resolve() / "fct_x")
    assert set(second) == set(first)
    assert not set(second.values()) & set(first.values())


def test_a_lost_fingerprint_file_means_a_full_export(tmp_path: Path) -> None:
    snapshot, published = tmp_path / "snap.duckdb", tmp_path / "published"
    published.mkdir()
    _snapshot(snapshot)
    version = export_parquet(snapshot, published).resolve()
    first = _inodes(version / "fct_x")
    (version / ".fingerprints.json").write_text("not json", encoding="utf-8")
    second_dir = export_parquet(snapshot, published).resolve() / "fct_x"
    assert not set(_inodes(second_dir).values()) & set(first.values())
    assert _read(second_dir) == _table(snapshot)

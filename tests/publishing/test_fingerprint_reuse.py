"""A publish hashes only the periods dbt wrote since the last one; a full hash every N days.

Issue 16: hashing every row of the marts each night made the +1 month publish grow with
history (1.61x from one to three years at 1,500 clients per Bapas-month). Rows dbt writes
carry `batch_at`; a period whose row count and latest `batch_at` are unchanged keeps its
recorded hash. These tests pin what that finds at once (anything dbt writes, rows removed, a
period gone, a new layout), what waits for the full hash (a hand UPDATE that keeps both), and
that a reused fingerprint always equals a fresh one when only dbt wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import duckdb
import pytest

from core.settings import Settings
from publishing import snapshot_refresh
from publishing.parquet_partitions import table_fingerprints
from publishing.snapshot import publish_snapshot
from tests.publishing.test_snapshot_refresh import _replaced, _same_rows

T0 = dt.datetime(2027, 8, 1, 1, 0)
TABLE = "marts.f"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A fact with three months, each written by an earlier dbt run."""
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    connection.execute(
        f"create table {TABLE} as select period, value, cast(batch_at as timestamp) as batch_at"
        " from (values ('2027-05', 1, '2027-06-01 01:00'), ('2027-05', 2, '2027-06-01 01:00'),"
        " ('2027-06', 3, '2027-07-01 01:00'), ('2027-06', 4, '2027-07-01 01:00'),"
        " ('2027-07', 5, '2027-08-01 01:00'), (null, 6, '2027-08-01 01:00')"
        ") v(period, value, batch_at)"
    )
    return connection


def _fresh(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return table_fingerprints(con, TABLE)["periods"]  # type: ignore[return-value]


def _hashed(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "periods hashed" in r.getMessage()]


def test_only_periods_dbt_wrote_are_hashed_and_the_result_equals_a_fresh_hash(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="publishing.parquet_partitions")
    first = table_fingerprints(con, TABLE, now=T0)
    assert first["hashed_at"] == T0.isoformat() and set(first["periods"]) == {  # type: ignore[arg-type]
        "2027-05", "2027-06", "2027-07",
    }  # fmt: skip
    # What dbt's delete+insert does to one month: its rows replaced, stamped with the new run.
    con.execute(f"delete from {TABLE} where period = '2027-06'")
    con.execute(f"insert into {TABLE} values ('2027-06', 30, timestamp '2027-08-02 01:00')")
    con.execute(f"insert into {TABLE} values ('2027-08', 7, timestamp '2027-08-02 01:00')")
    caplog.clear()
    second = table_fingerprints(con, TABLE, previous=first, now=T0 + dt.timedelta(days=1))
    assert _hashed(caplog) == [f"{TABLE}: 2 of 4 periods hashed"]
    assert second["periods"] == _fresh(con)
    assert second["periods"]["2027-06"] != first["periods"]["2027-06"]  # type: ignore[index]
    assert second["hashed_at"] == first["hashed_at"]  # no full hash yet


def test_rows_removed_or_a_month_gone_are_found_without_a_new_stamp(
    con: duckdb.DuckDBPyConnection,
) -> None:
    first = table_fingerprints(con, TABLE, now=T0)
    con.execute(f"delete from {TABLE} where value = 1")  # 2027-05 loses a row
    con.execute(f"delete from {TABLE} where period = '2027-07'")  # 2027-07 gone
    second = table_fingerprints(con, TABLE, previous=first, now=T0 + dt.timedelta(hours=1))
    assert second["periods"] == _fresh(con)
    assert set(second["periods"]) == {"2027-05", "2027-06"}  # type: ignore[arg-type]


def test_a_hand_update_waits_for_the_full_hash(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_PUBLISH_FULL_HASH_DAYS", "7")
    first = table_fingerprints(con, TABLE, now=T0)
    con.execute(f"update {TABLE} set value = 99 where value = 1")  # count and batch_at kept
    six_days = table_fingerprints(con, TABLE, previous=first, now=T0 + dt.timedelta(days=6))
    assert six_days["periods"] == first["periods"] != _fresh(con)  # the documented limit
    week = T0 + dt.timedelta(days=7)
    seven_days = table_fingerprints(con, TABLE, previous=six_days, now=week)
    assert seven_days["periods"] == _fresh(con) and seven_days["hashed_at"] == week.isoformat()
    monkeypatch.setenv("LIPAS_PUBLISH_FULL_HASH_DAYS", "0")
    con.execute(f"update {TABLE} set value = 98 where value = 99")
    every_time = table_fingerprints(con, TABLE, previous=seven_days, now=week)
    assert every_time["periods"] == _fresh(con) != seven_days["periods"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("alter table marts.f add column note varchar", id="new column"),
        pytest.param("alter table marts.f drop column batch_at", id="no batch_at"),
    ],
)
def test_a_new_layout_or_a_table_without_batch_at_is_hashed_whole(
    con: duckdb.DuckDBPyConnection, change: str
) -> None:
    first = table_fingerprints(con, TABLE, now=T0)
    con.execute(change)
    con.execute(f"update {TABLE} set value = 99 where value = 1")
    later = table_fingerprints(con, TABLE, previous=first, now=T0 + dt.timedelta(hours=1))
    assert later["periods"] == _fresh(con) != first["periods"]


def test_a_record_from_before_stamps_or_another_duckdb_is_not_reused(
    con: duckdb.DuckDBPyConnection,
) -> None:
    first = table_fingerprints(con, TABLE, now=T0)
    con.execute(f"update {TABLE} set value = 99 where value = 1")
    soon = T0 + dt.timedelta(hours=1)
    for previous in (
        {k: v for k, v in first.items() if k != "stamps"},
        {**first, "duckdb": "0.0.0"},
        {**first, "hashed_at": "not a time"},
        {**first, "hashed_at": (T0 + dt.timedelta(days=1)).isoformat()},  # clock went back
    ):
        assert table_fingerprints(con, TABLE, previous=previous, now=soon)["periods"] == _fresh(con)


def test_publish_takes_what_dbt_wrote_at_once_and_a_hand_edit_at_the_full_hash(
    working_warehouse: Settings,
    manifest: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    warehouse = working_warehouse.warehouse_path
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "alter table marts.fct_client_month"
            " add column batch_at timestamp default timestamp '2027-07-01 01:00'"
        )
        periods = sorted(
            str(r[0])
            for r in con.execute("select distinct period from marts.fct_client_month").fetchall()
        )
    monkeypatch.setenv("LIPAS_PUBLISH_FULL_HASH_DAYS", "7")
    # A file this small is soon "fragmented" and then copied whole, which would hide the point.
    monkeypatch.setattr(snapshot_refresh, "MAX_FREE_SHARE", 1.0)
    publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    caplog.set_level(logging.INFO, logger="publishing.snapshot_refresh")

    # As dbt rewrites a month: new values and the run's batch_at.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.fct_client_month set is_reached = not is_reached,"
            " batch_at = timestamp '2027-08-01 01:00' where period = ?",
            [periods[-1]],
        )
    result = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    assert _replaced(caplog) == [f"fct_client_month: 1 of {len(periods)} periods replaced"]
    _same_rows(result.snapshot_path, warehouse)

    # By hand, keeping batch_at: not seen until the full hash is due.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.fct_client_month set is_reached = not is_reached where period = ?",
            [periods[0]],
        )
    result = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    assert _differing_rows(result.snapshot_path, warehouse) > 0
    monkeypatch.setenv("LIPAS_PUBLISH_FULL_HASH_DAYS", "0")
    result = publish_snapshot(working_warehouse, manifest_path=manifest, parquet=False)
    _same_rows(result.snapshot_path, warehouse)


def _differing_rows(snapshot: Path, warehouse: Path) -> int:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        con.execute(f"attach '{warehouse}' as w (read_only)")
        row = con.execute(
            "select count(*) from (select * from w.marts.fct_client_month"
            " except all select * from marts.fct_client_month)"
        ).fetchone()
    return int(row[0]) if row else 0

"""The nightly's PostgreSQL input copy replaces only new, changed or gone submissions (issue 16).

At 200 Bapas x 3 years copying the whole raw history took 87 s of a +1 month night, more than
dbt's build there. Each step below compares the PostgreSQL table with DuckDB row for row.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.postgres_copy import CopiedTable, copy_to_postgres
from tests.support.postgres_cluster import PgCluster, module_cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    with module_cluster() as running:
        yield running


def _warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create schema ledger")
        con.execute(
            "create table raw.monthly_klien (submission_id varchar, no_register varchar, umur int)"
        )
        con.execute("create table ledger.submissions (submission_id varchar, periode varchar)")
        for number in range(1, 7):
            sid, period = f"s{number}xxxx", f"2027-0{number}"
            con.execute("insert into ledger.submissions values (?, ?)", [sid, period])
            con.execute(
                "insert into raw.monthly_klien select ?, 'R' || i, 20 + i from range(3) t(i)",
                [sid],
            )


def _execute(path: Path, *statements: str) -> None:
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)


def _copy(path: Path, cluster: PgCluster) -> dict[str, CopiedTable]:
    import psycopg2

    with psycopg2.connect(cluster.dsn()) as pg:
        copied = copy_to_postgres(path, pg, schemas=("raw", "ledger"))
    return {f"{c.schema}.{c.table}": c for c in copied}


def _same_rows(path: Path, cluster: PgCluster) -> None:
    import psycopg2

    query = "select * from raw.monthly_klien order by 1, 2"
    with duckdb.connect(str(path), read_only=True) as con:
        expected = con.execute(query).fetchall()
    with psycopg2.connect(cluster.dsn()) as pg, pg.cursor() as cur:
        cur.execute(query)
        actual: list[Any] = cur.fetchall()
    assert actual == expected


def test_raw_tables_follow_duckdb_by_submission(cluster: PgCluster, tmp_path: Path) -> None:
    warehouse = tmp_path / "lipas.duckdb"
    _warehouse(warehouse)

    first = _copy(warehouse, cluster)
    assert (first["raw.monthly_klien"].rows, first["raw.monthly_klien"].by_submission) == (
        18,
        False,
    )
    _same_rows(warehouse, cluster)

    # A new month: only its rows travel.
    _execute(warehouse, "insert into raw.monthly_klien values ('s7xxxx', 'R9', 30)")
    second = _copy(warehouse, cluster)["raw.monthly_klien"]
    assert (second.rows, second.by_submission) == (1, True)
    _same_rows(warehouse, cluster)

    # Stored masking changed a value in place and a purge removed a submission.
    _execute(
        warehouse,
        "update raw.monthly_klien set no_register = '[disamarkan]' "
        "where submission_id = 's1xxxx' and no_register = 'R1'",
        "delete from raw.monthly_klien where submission_id = 's2xxxx'",
    )
    third = _copy(warehouse, cluster)["raw.monthly_klien"]
    assert (third.rows, third.by_submission) == (3, True)  # s1xxxx again; s2xxxx deleted
    _same_rows(warehouse, cluster)

    # Nothing changed: nothing is written; small tables are still copied whole.
    fourth = _copy(warehouse, cluster)
    assert (fourth["raw.monthly_klien"].rows, fourth["raw.monthly_klien"].by_submission) == (
        0,
        True,
    )
    assert fourth["ledger.submissions"].by_submission is False
    _same_rows(warehouse, cluster)

    # A new column (an upgraded contract): the table is recreated and copied whole.
    _execute(warehouse, "alter table raw.monthly_klien add column catatan varchar")
    fifth = _copy(warehouse, cluster)["raw.monthly_klien"]
    assert (fifth.rows, fifth.by_submission) == (16, False)
    _same_rows(warehouse, cluster)

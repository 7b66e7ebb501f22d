"""The ledger and quality tables, and the row types written into them, match core.interface_tables.

Before issue 13 each layout was typed in up to four places (DDL, row types, the views quality
uses before ingestion ran, dbt's macro) and the copy in quality/tables.py had already lost three
ledger columns; these tests fail when any of them leaves the declaration.
"""

from __future__ import annotations

import dataclasses
import typing

import duckdb
import pytest

from core.interface_tables import (
    LEDGER_ROW_ISSUES,
    LEDGER_SUBMISSIONS,
    LEDGER_TABLES,
    QUALITY_SUBMISSION_STATUS,
    QUALITY_TABLES,
    Table,
)
from ingestion.ledger import LedgerEntry, ensure_ledger_tables
from ingestion.stored_masking import LEDGER_NAME_COLUMNS
from quality.completeness import StatusRow
from quality.store import ensure_quality_tables
from quality.tables import create_current_views


def _layout(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


@pytest.mark.parametrize("table", QUALITY_TABLES + LEDGER_TABLES, ids=lambda t: t.qualified)
def test_ensure_functions_create_the_declared_layout(table: Table) -> None:
    con = duckdb.connect(":memory:")
    for _ in range(2):  # idempotent
        ensure_quality_tables(con)
        ensure_ledger_tables(con)
    assert _layout(con, table.schema, table.name) == list(table.typed_columns)


def test_an_older_register_gains_the_added_columns() -> None:
    con = duckdb.connect(":memory:")
    con.execute("create schema quality")
    first = ", ".join(f"{c.name} {c.sql_type}" for c in QUALITY_SUBMISSION_STATUS.columns[:14])
    con.execute(f"create table quality.submission_status ({first})")
    ensure_quality_tables(con)
    assert _layout(con, "quality", "submission_status") == list(
        QUALITY_SUBMISSION_STATUS.typed_columns
    )


@pytest.mark.parametrize(
    ("row_type", "table"),
    [(LedgerEntry, LEDGER_SUBMISSIONS), (StatusRow, QUALITY_SUBMISSION_STATUS)],
    ids=["LedgerEntry", "StatusRow"],
)
def test_row_types_follow_the_declaration(row_type: type, table: Table) -> None:
    names = [f.name for f in dataclasses.fields(row_type)]
    assert names == list(table.attribute_names)
    hints = typing.get_type_hints(row_type)
    for column in table.columns:
        assert hints[column.attribute] == column.python_type(), column.name


def test_quality_views_before_ingestion_have_the_ledger_layout() -> None:
    con = duckdb.connect(":memory:")
    create_current_views(con)
    for view, table in (
        ("q_ledger_submissions", LEDGER_SUBMISSIONS),
        ("q_ledger_row_issues", LEDGER_ROW_ISSUES),
    ):
        columns = [r[0] for r in con.execute(f"describe {view}").fetchall()]
        assert columns == list(table.column_names)


def test_masked_ledger_columns_are_the_file_name_columns() -> None:
    assert LEDGER_NAME_COLUMNS == ("original_path", "original_name", "archived_path")

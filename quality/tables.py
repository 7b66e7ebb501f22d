"""Identifier allowlist: raw/ledger table and column names come only from the contract and here.

The quality layer reads the current version of each raw table through temp views
(`q_cur_<raw table>`), so every rule sees exactly one accepted version per Bapas and period.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb

from core.contract.model import SheetSpec, load_contract
from core.contract.raw_schema import NIK_COLUMNS, raw_columns, raw_tables
from core.interface_tables import LEDGER_REDACTIONS as LEDGER_REDACTIONS_TABLE
from core.interface_tables import LEDGER_ROW_ISSUES as LEDGER_ROW_ISSUES_TABLE
from core.interface_tables import LEDGER_SUBMISSIONS as LEDGER_SUBMISSIONS_TABLE

# Used when ingestion has not created the ledger yet (layouts from core.interface_tables).
LEDGER_SUBMISSIONS: tuple[tuple[str, str], ...] = LEDGER_SUBMISSIONS_TABLE.typed_columns
LEDGER_ROW_ISSUES: tuple[tuple[str, str], ...] = LEDGER_ROW_ISSUES_TABLE.typed_columns
LEDGER_REDACTIONS: tuple[tuple[str, str], ...] = LEDGER_REDACTIONS_TABLE.typed_columns
# Pseudonymous but still linkable: never copied into sample_rows.
SENSITIVE_COLUMNS: frozenset[str] = frozenset(name for name, _t, _d in NIK_COLUMNS[:1])


class UnknownIdentifierError(ValueError):
    """A rule named a sheet or column that the contract does not define."""


@lru_cache(maxsize=1)
def raw_table_columns() -> dict[str, dict[str, str]]:
    """Raw table name -> {column: SQL type}, from the contract."""
    return {
        table: {c.name: c.sql_type for c in raw_columns(sheet)}
        for table, (_kind, sheet) in raw_tables(load_contract()).items()
    }


def sheet_spec(kind: str, sheet: str) -> SheetSpec:
    """The contract sheet; UnknownIdentifierError when it does not exist."""
    try:
        return load_contract().kind(kind).sheet(sheet)
    except KeyError as exc:
        raise UnknownIdentifierError(f"unknown sheet {kind}/{sheet}") from exc


def raw_table(kind: str, sheet: str) -> str:
    """Raw table name (without schema) for a contract sheet."""
    return load_contract().kind(kind).raw_table(sheet_spec(kind, sheet))


def current_view(kind: str, sheet: str) -> str:
    """Name of the temp view holding the current rows of a sheet."""
    return f"q_cur_{raw_table(kind, sheet)}"


def check_column(kind: str, sheet: str, column: str) -> str:
    """Return `column` if the raw table of the sheet has it; raise otherwise."""
    if column not in raw_table_columns()[raw_table(kind, sheet)]:
        raise UnknownIdentifierError(f"{kind}/{sheet} has no raw column {column!r}")
    return column


def _existing(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return {r[0] for r in rows}


def _empty_select(columns: dict[str, str] | tuple[tuple[str, str], ...]) -> str:
    items = columns.items() if isinstance(columns, dict) else columns
    return "select " + ", ".join(f"cast(null as {t}) as {n}" for n, t in items) + " where false"


def create_current_views(con: duckdb.DuckDBPyConnection) -> None:
    """Temp views over the ledger and the current version of every raw table.

    Missing tables (nothing ingested yet) become empty views, so checks on an empty warehouse
    report every report as missing instead of crashing.
    """
    ledger = _existing(con, "ledger")
    for name, cols in (
        ("submissions", LEDGER_SUBMISSIONS),
        ("row_issues", LEDGER_ROW_ISSUES),
        ("redactions", LEDGER_REDACTIONS),
    ):
        source = f"select * from ledger.{name}" if name in ledger else _empty_select(cols)
        con.execute(f"create or replace temp view q_ledger_{name} as {source}")
    raw = _existing(con, "raw")
    for table, columns in raw_table_columns().items():
        if table in raw:
            source = (
                f"select r.* from raw.{table} r join q_ledger_submissions s"
                " on s.submission_id = r.submission_id where s.is_current"
            )
        else:
            source = _empty_select(columns)
        con.execute(f"create or replace temp view q_cur_{table} as {source}")

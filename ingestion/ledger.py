"""The ingestion ledger: one row per received file, plus row-level parse issues.

Layouts are declared in core/interface_tables.py (documented from there in docs/warehouse.md);
other parts (quality, dbt, orchestration) read them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from core.contract.model import load_contract
from core.contract.raw_schema import LEDGER_SCHEMA, RAW_SCHEMA, create_table_sql, raw_columns
from core.errors import RowIssue
from core.interface_tables import (
    LEDGER_RAW_SCANS,
    LEDGER_REDACTIONS,
    LEDGER_ROW_ISSUES,
    LEDGER_SUBMISSIONS,
)

# Layouts are declared once in core/interface_tables.py; these names are what callers use.
SUBMISSIONS_DDL = LEDGER_SUBMISSIONS.create_sql()
ROW_ISSUES_DDL = LEDGER_ROW_ISSUES.create_sql()
# Audit of every change made to stored rows after load (masking by the raw-integrity gate,
# `lipas purge`): who, when, why and how many rows; never the values themselves.
REDACTIONS_DDL = LEDGER_REDACTIONS.create_sql()
RAW_SCANS_DDL = LEDGER_RAW_SCANS.create_sql()
SUBMISSION_COLUMNS = LEDGER_SUBMISSIONS.column_names
# held: loaded but not in force until an operator decides (identity mismatch, older versi);
# reprocessed: an earlier outcome replaced by `lipas reprocess` (the new row follows it).
STATUSES = LEDGER_SUBMISSIONS.column("status").values


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger.submissions row (fields in the declared column order; a test checks it)."""

    submission_id: str
    sha256: str
    original_path: str
    original_name: str
    archived_path: str | None
    file_format: str
    report_kind: str | None
    kode_bapas: str | None
    period: str | None
    received_at: dt.datetime
    ingested_at: dt.datetime
    version: int | None
    status: str
    is_current: bool
    error_code: str | None
    error_summary: str | None
    row_counts: str | None
    versi: int | None = None  # IDENTITAS `versi` as sent (None = blank)
    path_kode_bapas: str | None = None  # Bapas named by the path when it differs from IDENTITAS
    path_period: str | None = None  # period named by the path when it differs from IDENTITAS


def ensure_ledger_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger schema and tables if missing (safe to call on every run)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {LEDGER_SCHEMA}")
    con.execute(SUBMISSIONS_DDL)
    # Columns added after the first release: older warehouses get them on the next run.
    for statement in LEDGER_SUBMISSIONS.add_column_sql():
        con.execute(statement)
    con.execute(ROW_ISSUES_DDL)
    con.execute(REDACTIONS_DDL)
    con.execute(RAW_SCANS_DDL)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create raw.<kind>_<sheet> for every contract sheet (layout from raw_schema)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for kind in load_contract().report_kinds.values():
        for sheet in kind.sheets:
            con.execute(create_table_sql(kind.raw_table(sheet), raw_columns(sheet)))


def find_by_sha(con: duckdb.DuckDBPyConnection, sha256: str) -> list[LedgerEntry]:
    """Ledger rows for a content hash, oldest first."""
    rows = con.execute(
        f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM {LEDGER_SCHEMA}.submissions "
        "WHERE sha256 = ? ORDER BY ingested_at, submission_id",
        [sha256],
    ).fetchall()
    return [LedgerEntry(*row) for row in rows]


def get_entry(con: duckdb.DuckDBPyConnection, submission_id: str) -> LedgerEntry | None:
    """The ledger row with this id, if committed."""
    row = con.execute(
        f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM {LEDGER_SCHEMA}.submissions "
        "WHERE submission_id = ?",
        [submission_id],
    ).fetchone()
    return LedgerEntry(*row) if row else None


def current_version(
    con: duckdb.DuckDBPyConnection, kind: str, kode_bapas: str, period: str
) -> tuple[LedgerEntry | None, int]:
    """(current accepted entry or None, number of accepted+superseded versions so far)."""
    rows = con.execute(
        f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM {LEDGER_SCHEMA}.submissions "
        "WHERE report_kind = ? AND kode_bapas = ? AND periode = ? "
        "AND status IN ('accepted', 'superseded')",
        [kind, kode_bapas, period],
    ).fetchall()
    entries = [LedgerEntry(*row) for row in rows]
    return next((e for e in entries if e.is_current), None), len(entries)


def known_submissions(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    """(every committed submission_id, every committed sha256): one query per run, not per file."""
    rows = con.execute(f"SELECT submission_id, sha256 FROM {LEDGER_SCHEMA}.submissions").fetchall()
    return {r[0] for r in rows}, {r[1] for r in rows}


def insert_entry(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> None:
    """Insert one ledger row (inside the caller's transaction)."""
    marks = ", ".join("?" for _ in SUBMISSION_COLUMNS)
    con.execute(
        f"INSERT INTO {LEDGER_SCHEMA}.submissions ({', '.join(SUBMISSION_COLUMNS)}) "
        f"VALUES ({marks})",
        [getattr(entry, name) for name in LEDGER_SUBMISSIONS.attribute_names],
    )


def set_status(
    con: duckdb.DuckDBPyConnection, submission_id: str, status: str, note: str | None = None
) -> None:
    """Change a row's status (never current afterwards); `note` is appended to error_summary."""
    if status not in STATUSES:
        raise ValueError(f"unknown ledger status {status!r}")
    con.execute(
        f"UPDATE {LEDGER_SCHEMA}.submissions SET status = ?, is_current = false, "
        "error_summary = CASE WHEN ? IS NULL THEN error_summary "
        "ELSE concat_ws('; ', error_summary, ?) END WHERE submission_id = ?",
        [status, note, note, submission_id],
    )


def make_current(
    con: duckdb.DuckDBPyConnection, submission_id: str, version: int, error_summary: str | None
) -> None:
    """A held row released by an operator becomes the accepted version in force."""
    con.execute(
        f"UPDATE {LEDGER_SCHEMA}.submissions SET status = 'accepted', is_current = true, "
        "version = ?, error_summary = ? WHERE submission_id = ?",
        [version, error_summary, submission_id],
    )


def mark_superseded(con: duckdb.DuckDBPyConnection, submission_id: str) -> None:
    """An accepted version stops being current; its raw rows stay."""
    con.execute(
        f"UPDATE {LEDGER_SCHEMA}.submissions SET status = 'superseded', is_current = false "
        "WHERE submission_id = ?",
        [submission_id],
    )


def insert_row_issues(
    con: duckdb.DuckDBPyConnection, submission_id: str, issues: list[RowIssue]
) -> None:
    """Bulk insert row issues via Arrow."""
    if not issues:
        return
    table = pa.table(
        {
            "submission_id": [submission_id] * len(issues),
            "sheet": [i.sheet for i in issues],
            "row_number": pa.array([i.row_number for i in issues], pa.int32()),
            "column_name": [i.column_name for i in issues],
            "value": pa.array([i.value for i in issues], pa.string()),
            "issue_code": [i.issue_code for i in issues],
            "message_id": [i.message_id for i in issues],
            "message_en": [i.message_en for i in issues],
        }
    )
    con.register("_issues_batch", table)
    try:
        con.execute(f"INSERT INTO {LEDGER_SCHEMA}.row_issues BY NAME SELECT * FROM _issues_batch")
    finally:
        con.unregister("_issues_batch")


def status_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(report_kind or 'unknown', status, count) for `lipas status`."""
    rows = con.execute(
        f"SELECT coalesce(report_kind, 'unknown'), status, count(*) "
        f"FROM {LEDGER_SCHEMA}.submissions GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return [(str(k), str(s), int(n)) for k, s, n in rows]


def row_counts_json(counts: dict[str, int]) -> str:
    """row_counts column: {"KLIEN": 812, ...} (rows loaded per contract sheet)."""
    return json.dumps(dict(sorted(counts.items())))

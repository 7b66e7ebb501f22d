"""Masking long digit runs that are already stored: raw tables, their Parquet, ledger file names.

Ingestion masks NIK/NIP-like numbers before anything is written (transform.py); this module
cleans what got in before that (or by any other door), in place and audited in
ledger.redactions, so one typo never keeps the nightly gate failing for every Bapas.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from core.contract.model import load_contract
from core.contract.raw_schema import LEDGER_SCHEMA, RAW_SCHEMA, raw_columns, raw_tables
from core.interface_tables import LEDGER_SUBMISSIONS
from core.redact import LONG_RUN_PATTERN, longest_run, mask_long_runs
from core.settings import Settings
from ingestion.load import parquet_path, write_parquet_atomic

logger = logging.getLogger(__name__)

# Identifiers the pipeline generates (hex/base32 digests) may contain digit runs by chance;
# everything a sender can influence, file names included, is scanned.
GENERATED_ID_COLUMNS = frozenset({"submission_id", "_source_sha256", "client_key"})
# File names are masked without the keyed tag, exactly as ingestion does.
NAME_COLUMNS = frozenset({"_source_file", "original_path", "original_name", "archived_path"})
LEDGER_NAME_COLUMNS = tuple(c.name for c in LEDGER_SUBMISSIONS.columns if c.file_name)


@dataclass(frozen=True)
class MaskedColumn:
    """One submission's masked values in one column (row numbers only for raw tables)."""

    submission_id: str | None
    table_name: str  # schema-qualified, e.g. raw.monthly_klien
    column_name: str
    rows_affected: int
    digits: int
    rows: tuple[tuple[int, str], ...] = field(default_factory=tuple)  # (_row_number, masked)


def scanned_raw_columns() -> dict[str, list[str]]:
    """Raw table -> VARCHAR columns that can carry sender text (identifiers from the contract)."""
    return {
        table: [
            c.name
            for c in raw_columns(sheet)
            if c.sql_type == "VARCHAR" and c.name not in GENERATED_ID_COLUMNS
        ]
        for table, (_kind, sheet) in raw_tables(load_contract()).items()
    }


def long_run_filter(column: str) -> str:
    """SQL predicate (one bound parameter: LONG_RUN_PATTERN) for a column holding a long run.

    The length test first: most text cells are short codes, and it halves a national scan.
    `column` must come from the contract or a constant, never from data.
    """
    return f"(length({column}) >= 12 and regexp_matches({column}, ?))"


def _existing(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {(str(s), str(t)) for s, t in rows}


def _masker(column: str, key: bytes) -> Callable[[str], str]:
    if column in NAME_COLUMNS:
        return mask_long_runs
    return lambda text: mask_long_runs(text, key)


def scope_filter(scope: str | None) -> str:
    """SQL predicate keeping the rows of the submissions listed in table `scope` (or all rows).

    A semi-join, not a literal list: DuckDB then runs the digit-run test only on the scope's
    rows instead of evaluating it over the whole history first. `scope` is a constant name.
    """
    if scope is None:
        return "true"
    return f"submission_id in (select submission_id from {scope})"


def _scan_raw(
    con: duckdb.DuckDBPyConnection, table: str, column: str, key: bytes, scope: str | None
) -> tuple[list[MaskedColumn], dict[str, str]]:
    # Identifiers come from the contract (scanned_raw_columns), the pattern is bound.
    hits = con.execute(
        f"select submission_id, _row_number, {column} from {RAW_SCHEMA}.{table}"
        f" where {scope_filter(scope)} and {long_run_filter(column)}"
        " order by submission_id, _row_number",
        [LONG_RUN_PATTERN],
    ).fetchall()
    mask = _masker(column, key)
    mapping: dict[str, str] = {}
    per_sid: dict[str | None, list[tuple[int, str]]] = {}
    digits: dict[str | None, int] = {}
    for sid, row, value in hits:
        masked = mapping.setdefault(str(value), mask(str(value)))
        per_sid.setdefault(sid, []).append((int(row) if row is not None else 0, masked))
        digits[sid] = max(digits.get(sid, 0), longest_run(str(value)))
    found = [
        MaskedColumn(sid, f"{RAW_SCHEMA}.{table}", column, len(rows), digits[sid], tuple(rows))
        for sid, rows in per_sid.items()
    ]
    return found, mapping


def _apply(
    con: duckdb.DuckDBPyConnection, qualified: str, column: str, mapping: dict[str, str]
) -> None:
    con.register(
        "_mask_map", pa.table({"original": list(mapping), "masked": list(mapping.values())})
    )
    try:
        con.execute(
            f"update {qualified} set {column} = m.masked from _mask_map as m"
            f" where {qualified}.{column} = m.original"
        )
    finally:
        con.unregister("_mask_map")


def _rewrite_parquet(
    settings: Settings, table: str, sid: str, maps: dict[str, dict[str, str]]
) -> None:
    """The submission's immutable Parquet, rewritten once with the same masked values."""
    path = parquet_path(settings.raw_dir, table, sid)
    if not path.exists():
        return
    data = pq.read_table(path)
    for column, mapping in maps.items():
        if column not in data.column_names:
            continue
        values = [mapping.get(v, v) if v is not None else None for v in data[column].to_pylist()]
        at = data.column_names.index(column)
        data = data.set_column(at, data.schema.field(at), pa.array(values, pa.string()))
    write_parquet_atomic(data, path)


def _mask_name(column: str, value: str) -> str:
    """archived_path holds the sha256 folder (hex, digit runs by chance): mask the name only."""
    if column != "archived_path":
        return mask_long_runs(value)
    head, sep, name = value.replace("\\", "/").rpartition("/")
    return f"{head}{sep}{mask_long_runs(name)}" if sep else mask_long_runs(value)


def _ledger_names(con: duckdb.DuckDBPyConnection) -> list[MaskedColumn]:
    found: list[MaskedColumn] = []
    for column in LEDGER_NAME_COLUMNS:
        rows = con.execute(
            f"select submission_id, {column} from {LEDGER_SCHEMA}.submissions"
            f" where {long_run_filter(column)}",
            [LONG_RUN_PATTERN],
        ).fetchall()
        for sid, value in rows:
            masked = _mask_name(column, str(value))
            if masked == value:
                continue
            con.execute(
                f"update {LEDGER_SCHEMA}.submissions set {column} = ? where submission_id = ?",
                [masked, sid],
            )
            qualified = f"{LEDGER_SCHEMA}.submissions"
            found.append(MaskedColumn(sid, qualified, column, 1, longest_run(str(value))))
    return found


def mask_stored_long_runs(
    con: duckdb.DuckDBPyConnection, settings: Settings, key: bytes, scope: str | None = None
) -> list[MaskedColumn]:
    """Mask stored long digit runs in place (caller's transaction); what was masked.

    `scope` names a table of submission ids whose raw rows are scanned; None scans every row.
    Ledger file names are always scanned whole (one small table). Parquet files are rewritten
    before the caller commits: a crash in between leaves the database unmasked, and the next
    run masks it again with the same stand-ins.
    """
    existing = _existing(con)
    found: list[MaskedColumn] = []
    for table, columns in scanned_raw_columns().items():
        if (RAW_SCHEMA, table) not in existing:
            continue
        maps: dict[str, dict[str, str]] = {}
        table_found: list[MaskedColumn] = []
        for column in columns:
            hits, mapping = _scan_raw(con, table, column, key, scope)
            if hits:
                maps[column] = mapping
                table_found += hits
        for sid in sorted({h.submission_id for h in table_found if h.submission_id}):
            _rewrite_parquet(settings, table, sid, maps)
        for column, mapping in maps.items():
            _apply(con, f"{RAW_SCHEMA}.{table}", column, mapping)
        found += table_found
    if (LEDGER_SCHEMA, "submissions") in existing:
        found += _ledger_names(con)
    return found


def record_redactions(
    con: duckdb.DuckDBPyConnection,
    items: list[tuple[str | None, str, str, int]],
    action: str,
    reason: str,
    actor: str,
    now: dt.datetime,
) -> None:
    """Audit rows (submission_id, table, column, rows) in ledger.redactions; never values."""
    if items:
        con.executemany(
            f"insert into {LEDGER_SCHEMA}.redactions (submission_id, table_name, column_name,"
            " rows_affected, action, reason, actor, redacted_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [sid, table, column, rows, action, reason, actor, now]
                for sid, table, column, rows in items
            ],
        )

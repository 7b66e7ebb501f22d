"""Located sheets -> typed, pseudonymised Arrow tables in the raw layout, plus row issues."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.contract.model import ColumnSpec
from core.contract.raw_schema import RawColumn, raw_columns
from core.errors import RowIssue
from core.redact import (
    FILE_NAME_COLUMN,
    LONG_RUN_PATTERN,
    long_number_messages,
    longest_run,
    mask_long_runs,
    redact_value,
)
from ingestion.date_order import plan_date_orders
from ingestion.pseudonymise import (
    birthdate_columns,
    nik_columns,
    rounded_niks,
    with_rounded_issues,
)
from ingestion.validate import SheetTable, Structure
from ingestion.values import PARSERS, Parsed, parse_date_in_order

ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
}
# Cap per sheet and column: one systematically wrong column must not flood the ledger.
MAX_ISSUES_PER_COLUMN = 500
# Row-issue codes of masked digit runs (quality turns them into VAL_LONG_NUMBER findings).
LONG_NUMBER_CODE = "long_number_masked"
FILE_NAME_CODE = "file_name_long_number"


@dataclass(frozen=True)
class Lineage:
    """Per-submission values stamped on every raw row."""

    submission_id: str
    source_file: str
    sha256: str
    loaded_at: dt.datetime


def _issues(table: SheetTable, spec: ColumnSpec, parsed: Parsed) -> list[RowIssue]:
    positions = np.flatnonzero(parsed.bad)
    raw = table.cells[spec.name]
    out = [
        RowIssue(
            sheet=table.spec.name,
            row_number=int(table.row_numbers[pos]),
            column_name=spec.name,
            value=redact_value(raw.iloc[pos], spec.pii),
            issue_code=f"invalid_{spec.type}",
            message_id=f"Nilai tidak dapat dibaca sebagai {spec.type}; disimpan kosong (NULL).",
            message_en=f"Value cannot be read as {spec.type}; stored as empty (NULL).",
        )
        for pos in positions[:MAX_ISSUES_PER_COLUMN]
    ]
    if len(positions) > MAX_ISSUES_PER_COLUMN:
        extra = len(positions) - MAX_ISSUES_PER_COLUMN
        out.append(
            RowIssue(
                table.spec.name,
                int(table.row_numbers[positions[MAX_ISSUES_PER_COLUMN]]),
                spec.name,
                None,
                "more_issues",
                f"... dan {extra} nilai lain di kolom ini yang tidak dapat dibaca.",
                f"... and {extra} more unreadable values in this column.",
            )
        )
    return out


def _parse_all(
    table: SheetTable, date_orders: dict[tuple[str, str], str] | None = None
) -> tuple[dict[str, pa.Array], list[RowIssue]]:
    parsed: dict[str, pa.Array] = {}
    issues: list[RowIssue] = []
    n = len(table.cells)
    for spec in table.spec.columns:
        if spec.pii == "drop":
            continue
        if spec.name not in table.cells.columns:
            parsed[spec.name] = pa.nulls(n)
            continue
        if spec.type == "date":  # the file's day/month order (ingestion.date_order)
            order = (date_orders or {}).get((table.spec.name, spec.name))
            result = parse_date_in_order(table.cells[spec.name], order)
        else:
            result = PARSERS[spec.type](table.cells[spec.name])
        parsed[spec.name] = result.values
        if result.bad.any():
            issues.extend(_issues(table, spec, result))
    return parsed, issues


def _mask_long_runs(table: SheetTable, parsed: dict[str, pa.Array], key: bytes) -> list[RowIssue]:
    """Mask NIK/NIP-like digit runs in the sender's text columns, one row issue per cell.

    Incident 2026-11: a NIK pasted into no_register was stored in raw and failed the integrity
    gate every night. Only the NIK column itself is hashed; every other text column is masked
    here, so the number never reaches raw tables or Parquet and the clerk is told the cause.
    """
    issues: list[RowIssue] = []
    columns = [
        spec
        for spec in table.spec.columns
        if spec.pii == "none"
        and (values := parsed.get(spec.name)) is not None
        and pa.types.is_string(values.type)
    ]
    # One regex pass over the sheet's text columns together (Arrow compiles the pattern on
    # every call): a clean sheet, the usual case, costs one scan instead of one per column.
    if (
        not columns
        or not pc.any(
            pc.match_substring_regex(
                pa.chunked_array([parsed[spec.name] for spec in columns], pa.string()),
                LONG_RUN_PATTERN,
            )
        ).as_py()
    ):
        return issues
    for spec in columns:
        values = parsed[spec.name]
        hits = pc.match_substring_regex(values, LONG_RUN_PATTERN).fill_null(False)
        positions = np.flatnonzero(hits.to_numpy(zero_copy_only=False))
        if not len(positions):
            continue
        texts = values.to_pylist()
        for count, pos in enumerate(positions):
            original = str(texts[pos])
            texts[pos] = mask_long_runs(original, key)
            if count < MAX_ISSUES_PER_COLUMN:
                msg_id, msg_en = long_number_messages(spec.name, longest_run(original))
                row, value = int(table.row_numbers[pos]), texts[pos][:60]
                issue = RowIssue(
                    table.spec.name, row, spec.name, value, LONG_NUMBER_CODE, msg_id, msg_en
                )
                issues.append(issue)
        parsed[spec.name] = pa.array(texts, pa.string())
    return issues


def build_sheet(
    structure: Structure,
    table: SheetTable,
    lineage: Lineage,
    key: bytes,
    date_orders: dict[tuple[str, str], str] | None = None,
) -> tuple[pa.Table, list[RowIssue]]:
    """Raw-layout Arrow table for one sheet (PII replaced) and its parse issues."""
    parsed, issues = _parse_all(table, date_orders)
    issues += _mask_long_runs(table, parsed, key)
    n = len(table.cells)
    derived: dict[str, pa.Array] = {}
    for spec in table.spec.columns:
        if spec.pii == "pseudonymise":
            raw = table.cells[spec.name] if spec.name in table.cells else None
            rounded = rounded_niks(raw, parsed[spec.name])
            derived |= nik_columns(
                parsed[spec.name],
                parsed.get("jenis_kelamin"),
                parsed.get("tanggal_lahir"),
                key,
                rounded,
            )
            issues = with_rounded_issues(
                issues, table.spec.name, spec.name, table.row_numbers, rounded
            )
        elif spec.pii == "generalise":
            derived |= birthdate_columns(parsed[spec.name], structure.period_end)
    lineage_values: dict[str, pa.Array] = {
        "submission_id": pa.array([lineage.submission_id] * n, pa.string()),
        "kode_bapas": pa.array([structure.kode_bapas] * n, pa.string()),
        "_reporting_period": pa.array([structure.period] * n, pa.string()),
        "_source_file": pa.array([lineage.source_file] * n, pa.string()),
        "_source_sha256": pa.array([lineage.sha256] * n, pa.string()),
        "_sheet": pa.array([table.spec.name] * n, pa.string()),
        "_row_number": pa.array(table.row_numbers.astype("int32"), pa.int32()),
        "_loaded_at": pa.array([lineage.loaded_at] * n, pa.timestamp("us")),
    }
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    for col in raw_columns(table.spec):
        arrow_type = ARROW_TYPES[col.sql_type]
        value = _pick(col, parsed, derived, lineage_values, structure)
        arrays.append(value.cast(arrow_type) if value.type != arrow_type else value)
        fields.append(pa.field(col.name, arrow_type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields)), issues


def _pick(
    col: RawColumn,
    parsed: dict[str, pa.Array],
    derived: dict[str, pa.Array],
    lineage: dict[str, pa.Array],
    structure: Structure,
) -> pa.Array:
    if col.name in derived:
        return derived[col.name]
    if col.name == "kode_bapas":
        # The resolved code (a kode_satker typed in IDENTITAS becomes its kode_bapas).
        return lineage[col.name]
    if col.source is not None and col.name in parsed:
        return parsed[col.name]
    if col.name in lineage:
        return lineage[col.name]
    raise KeyError(f"no value for raw column {col.name} in {structure.kind.kind}")


def _mask_file_name(structure: Structure, lineage: Lineage) -> tuple[Lineage, RowIssue]:
    """Lineage with the file name masked, and the row issue telling the clerk why.

    An 18-digit NIP in the file name would otherwise ride along in _source_file on every row.
    The issue sits on the IDENTITAS data row: the file has no row of its own.
    """
    digits = longest_run(lineage.source_file)
    masked = mask_long_runs(lineage.source_file)
    identity = structure.sheets.get("IDENTITAS", next(iter(structure.sheets.values())))
    row = int(identity.row_numbers[0]) if len(identity.row_numbers) else identity.header_row
    msg_id, msg_en = long_number_messages(FILE_NAME_COLUMN, digits)
    issue = RowIssue(
        identity.spec.name, row, FILE_NAME_COLUMN, masked[:60], FILE_NAME_CODE, msg_id, msg_en
    )
    return dataclasses.replace(lineage, source_file=masked), issue


def build_tables(
    structure: Structure,
    lineage: Lineage,
    key: bytes,
    sink: Callable[[str, pa.Table], None] | None = None,
) -> tuple[dict[str, pa.Table], list[RowIssue]]:
    """Raw table name -> Arrow table, for every sheet present, plus all row issues.

    With a `sink`, each table is handed to it as soon as it is built and not kept (the dict
    comes back empty), so a worker never holds every sheet's table at once (issue #11 item 7).
    """
    tables: dict[str, pa.Table] = {}
    issues: list[RowIssue] = list(structure.issues)  # formulas without value
    if longest_run(lineage.source_file):
        lineage, issue = _mask_file_name(structure, lineage)
        issues.append(issue)
    dates = plan_date_orders(structure)
    issues.extend(dates.issues)
    for table in structure.sheets.values():
        arrow, sheet_issues = build_sheet(structure, table, lineage, key, dates.orders)
        if sink is None:
            tables[structure.kind.raw_table(table.spec)] = arrow
        else:
            sink(structure.kind.raw_table(table.spec), arrow)
        del arrow
        issues.extend(sheet_issues)
    return tables, issues

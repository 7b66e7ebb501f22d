"""Located sheets -> typed, pseudonymised Arrow tables in the raw layout, plus row issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ingestion.contract.model import ColumnSpec
from ingestion.contract.raw_schema import RawColumn, raw_columns
from ingestion.errors import RowIssue
from ingestion.pseudonymise import birthdate_columns, nik_columns
from ingestion.redact import redact_value
from ingestion.validate import SheetTable, Structure
from ingestion.values import PARSERS, Parsed

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


def _parse_all(table: SheetTable) -> tuple[dict[str, pa.Array], list[RowIssue]]:
    parsed: dict[str, pa.Array] = {}
    issues: list[RowIssue] = []
    n = len(table.cells)
    for spec in table.spec.columns:
        if spec.pii == "drop":
            continue
        if spec.name not in table.cells.columns:
            parsed[spec.name] = pa.nulls(n)
            continue
        result = PARSERS[spec.type](table.cells[spec.name])
        parsed[spec.name] = result.values
        if result.bad.any():
            issues.extend(_issues(table, spec, result))
    return parsed, issues


def build_sheet(
    structure: Structure, table: SheetTable, lineage: Lineage, key: bytes
) -> tuple[pa.Table, list[RowIssue]]:
    """Raw-layout Arrow table for one sheet (PII replaced) and its parse issues."""
    parsed, issues = _parse_all(table)
    n = len(table.cells)
    derived: dict[str, pa.Array] = {}
    for spec in table.spec.columns:
        if spec.pii == "pseudonymise":
            derived |= nik_columns(
                parsed[spec.name], parsed.get("jenis_kelamin"), parsed.get("tanggal_lahir"), key
            )
        elif spec.pii == "generalise":
            derived |= birthdate_columns(parsed[spec.name], structure.period_end)
    lineage_values: dict[str, pa.Array] = {
        "submission_id": pa.array([lineage.submission_id] * n, pa.string()),
        "kode_bapas": pa.array([structure.kode_bapas] * n, pa.string()),
        "_reporting_period": pa.array([structure.periode] * n, pa.string()),
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


def build_tables(
    structure: Structure, lineage: Lineage, key: bytes
) -> tuple[dict[str, pa.Table], list[RowIssue]]:
    """Raw table name -> Arrow table, for every sheet present, plus all row issues."""
    tables: dict[str, pa.Table] = {}
    issues: list[RowIssue] = []
    for table in structure.sheets.values():
        arrow, sheet_issues = build_sheet(structure, table, lineage, key)
        tables[structure.kind.raw_table(table.spec)] = arrow
        issues.extend(sheet_issues)
    return tables, issues

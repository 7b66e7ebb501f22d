"""Raw warehouse table layouts derived from the contract (the ingestion -> dbt interface).

Each contract sheet becomes `raw.<kind>_<sheet>`; PII columns are replaced here by their
privacy-safe stand-ins, so the layout itself guarantees no NIK or name column exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.contract.model import ColumnSpec, Contract, ReportKindSpec, SheetSpec

RAW_SCHEMA = "raw"
LEDGER_SCHEMA = "ledger"

SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "codes": "VARCHAR",
    "integer": "BIGINT",
    "rupiah": "DECIMAL(18,2)",
    "decimal": "DOUBLE",
    "date": "DATE",
    "period": "VARCHAR",
    "year": "INTEGER",
    "yn": "BOOLEAN",
}

# Stand-ins for PII columns. NIK-derived flags are computed at ingestion because the raw NIK
# never reaches the warehouse (DESIGN.md §7).
NIK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("client_key", "VARCHAR", "Keyed pseudonym of the NIK (HMAC, base32); null if NIK empty."),
    ("nik_status", "VARCHAR", "VALID, MISSING, BAD_LENGTH, BAD_PROVINCE, BAD_DATE or ROUNDED."),
    ("nik_sex_match", "BOOLEAN", "NIK day (women +40) agrees with jenis_kelamin; null if unknown."),
    ("nik_birthdate_match", "BOOLEAN", "NIK DDMMYY agrees with tanggal_lahir; null if unknown."),
)
BIRTHDATE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("tahun_lahir", "INTEGER", "Birth year (the full date of birth is not kept)."),
    (
        "umur_akhir_periode",
        "INTEGER",
        "Age in whole years on the last day of the reporting period.",
    ),
)
LINEAGE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("submission_id", "VARCHAR", "Ledger id of the submission this row came from."),
    ("kode_bapas", "VARCHAR", "Sending Bapas (from IDENTITAS)."),
    ("_reporting_period", "VARCHAR", "YYYY-MM for monthly reports, YYYY for annual plans."),
    ("_source_file", "VARCHAR", "Original file name as received."),
    ("_source_sha256", "VARCHAR", "sha256 of the received file."),
    ("_sheet", "VARCHAR", "Contract sheet name the row came from."),
    ("_row_number", "INTEGER", "1-based row number in the original sheet (as the sender sees it)."),
    ("_loaded_at", "TIMESTAMP", "When the row was loaded (UTC)."),
)


@dataclass(frozen=True)
class RawColumn:
    """One column of a raw table."""

    name: str
    sql_type: str
    description: str
    source: ColumnSpec | None = None


def raw_columns(sheet: SheetSpec) -> list[RawColumn]:
    """Columns of the raw table for `sheet`, PII replaced, lineage appended."""
    cols: list[RawColumn] = []
    for spec in sheet.columns:
        if spec.pii == "drop":
            continue
        if spec.pii == "pseudonymise":
            cols.extend(RawColumn(n, t, d, spec) for n, t, d in NIK_COLUMNS)
        elif spec.pii == "generalise":
            cols.extend(RawColumn(n, t, d, spec) for n, t, d in BIRTHDATE_COLUMNS)
        else:
            cols.append(RawColumn(spec.name, SQL_TYPES[spec.type], spec.description_en, spec))
    present = {c.name for c in cols}
    cols.extend(RawColumn(n, t, d) for n, t, d in LINEAGE_COLUMNS if n not in present)
    return cols


def raw_tables(contract: Contract) -> dict[str, tuple[ReportKindSpec, SheetSpec]]:
    """Every raw table name mapped to its report kind and sheet."""
    return {
        kind.raw_table(sheet): (kind, sheet)
        for kind in contract.report_kinds.values()
        for sheet in kind.sheets
    }


def create_table_sql(table: str, columns: list[RawColumn], schema: str = RAW_SCHEMA) -> str:
    """DDL for one raw table; identifiers come only from the contract, never from input files."""
    body = ",\n    ".join(f"{c.name} {c.sql_type}" for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {schema}.{table} (\n    {body}\n)"

"""The interface tables (ledger.*, quality.*) declared once: every other layout derives from here.

Ingestion writes the ledger, the quality layer writes its tables, dbt and the alerts read both.
The DuckDB DDL, the PostgreSQL DDL of dbt's `ensure_quality_tables` macro, the column tuples
and row types the code uses, and the table in docs/warehouse.md are all derived from these
declarations (core/interface_docs.py renders the generated files; tests fail when they are stale).

`nullable` is the writers' promise (a non-nullable column is a plain type in the Python row
type) and what the docs state; the DDL enforces only the primary key, exactly as before this
module existed, so warehouses created earlier keep an identical layout.
Column names are kept as they are: the identity columns keep the contract's Bahasa names
(`kode_bapas`, `periode`) in every input table, dbt staging renames them (`period`), and the
Python row types use the staging name through `Column.attr` (renaming stored columns would be a
data migration of every existing warehouse and backup).
"""

from __future__ import annotations

from core.contract.raw_schema import LEDGER_SCHEMA
from core.table_layout import Column, Table, UnknownSqlTypeError, postgres_type

__all__ = [
    "DBT_QUALITY_SOURCES",
    "INTERFACE_TABLES",
    "LEDGER_RAW_SCANS",
    "LEDGER_REDACTIONS",
    "LEDGER_ROW_ISSUES",
    "LEDGER_SCHEMA",
    "LEDGER_SUBMISSIONS",
    "LEDGER_TABLES",
    "QUALITY_FINDINGS",
    "QUALITY_FINDING_EVENTS",
    "QUALITY_SCHEMA",
    "QUALITY_SUBMISSION_SCORES",
    "QUALITY_SUBMISSION_STATUS",
    "QUALITY_TABLES",
    "Column",
    "Table",
    "UnknownSqlTypeError",
    "postgres_type",
]

QUALITY_SCHEMA = "quality"


_c = Column  # short, so each declaration fits on one line

_V, _I, _B, _T, _D, _F = "VARCHAR", "INTEGER", "BOOLEAN", "TIMESTAMP", "DATE", "DOUBLE"

LEDGER_SUBMISSIONS = Table(
    LEDGER_SCHEMA,
    "submissions",
    "One row per received file, whatever became of it.",
    "ingestion/ledger.py",
    (
        _c("submission_id", _V, "Ledger id of the submission.", nullable=False, primary_key=True),
        _c("sha256", _V, "sha256 of the received bytes.", nullable=False),
        _c("original_path", _V, "Path where the file was found.", nullable=False, file_name=True),
        _c("original_name", _V, "File name as received.", nullable=False, file_name=True),
        _c("archived_path", _V, "Kept copy in the archive.", file_name=True),
        _c("file_format", _V, "xlsx, csv_folder, zip or unknown.", nullable=False),
        _c("report_kind", _V, "monthly or annual_plan; NULL when unknown."),
        _c("kode_bapas", _V, "Sending Bapas (from IDENTITAS)."),
        _c(
            "periode",
            _V,
            "Reporting period: YYYY-MM (monthly) or YYYY (annual plan).",
            attr="period",
        ),
        _c("received_at", _T, "When the file arrived (naive UTC).", nullable=False),
        _c("ingested_at", _T, "When ingestion processed it (naive UTC).", nullable=False),
        _c("version", _I, "Ingestion order within its Bapas, report kind and period."),
        _c(
            "status",
            _V,
            "What became of the file (docs/architecture.md, Warehouse schemas).",
            nullable=False,
            values=("accepted", "rejected", "duplicate", "superseded", "held", "reprocessed"),
        ),
        _c(
            "is_current",
            _B,
            "The accepted version in force for its Bapas, kind and period.",
            nullable=False,
        ),
        _c("error_code", _V, "Why the file was rejected or held."),
        _c("error_summary", _V, "Short cause; notes on an accepted file start `catatan / notes:`."),
        _c("row_counts", _V, 'JSON {"SHEET": rows loaded}.'),
        _c("versi", _I, "IDENTITAS `versi` as sent; NULL when blank.", added_later=True),
        _c(
            "path_kode_bapas",
            _V,
            "Bapas named by the landing path when it differs from IDENTITAS.",
            added_later=True,
        ),
        _c(
            "path_periode",
            _V,
            "Period named by the landing path when it differs from IDENTITAS.",
            added_later=True,
            attr="path_period",
        ),
    ),
)

LEDGER_ROW_ISSUES = Table(
    LEDGER_SCHEMA,
    "row_issues",
    "One row per cell ingestion could not read (the value is stored as NULL in raw).",
    "ingestion/ledger.py",
    (
        _c("submission_id", _V, "Ledger id of the submission.", nullable=False),
        _c("sheet", _V, "Contract sheet name.", nullable=False),
        _c("row_number", _I, "Row number as the sender sees it.", nullable=False),
        _c("column_name", _V, "Contract column name.", nullable=False),
        _c("value", _V, "The value as typed (long digit runs masked)."),
        _c("issue_code", _V, "Machine code of the problem.", nullable=False),
        _c("message_id", _V, "Message for the clerk (Bahasa Indonesia).", nullable=False),
        _c("message_en", _V, "The same message in English.", nullable=False),
    ),
)

LEDGER_REDACTIONS = Table(
    LEDGER_SCHEMA,
    "redactions",
    "Audit of every change to stored rows after load (masking, `lipas purge`); never values.",
    "ingestion/stored_masking.py, ingestion/purge.py",
    (
        _c("submission_id", _V, "Submission whose rows changed; NULL when not tied to one."),
        _c("table_name", _V, "Schema-qualified table, raw_parquet, or -.", nullable=False),
        _c("column_name", _V, "Column changed; * for whole rows.", nullable=False),
        _c("rows_affected", _I, "Rows changed.", nullable=False),
        _c("action", _V, "mask or purge.", nullable=False),
        _c("reason", _V, "Why (operator's words or the gate's).", nullable=False),
        _c("actor", _V, "Who: operator name or the pipeline step.", nullable=False),
        _c("redacted_at", _T, "When (naive UTC).", nullable=False),
    ),
)

LEDGER_RAW_SCANS = Table(
    LEDGER_SCHEMA,
    "raw_scans",
    "Submissions the raw-integrity gate has scanned, so a night scans only new ones.",
    "quality/raw_integrity.py",
    (
        _c(
            "submission_id",
            _V,
            "Ledger id of the scanned submission.",
            nullable=False,
            primary_key=True,
        ),
        _c("scanned_at", _T, "When the gate last scanned it (naive UTC).", nullable=False),
        _c("full_scan", _B, "Scanned by a full pass over the whole raw layer.", nullable=False),
        _c(
            "columns_digest",
            _V,
            "Digest of the scanned columns; a change forces a full pass.",
            nullable=False,
        ),
    ),
)

QUALITY_FINDINGS = Table(
    QUALITY_SCHEMA,
    "findings",
    "One row per finding; a resubmission that still has the problem keeps the same id.",
    "quality/findings.py",
    (
        _c(
            "finding_id",
            _V,
            "Stable hash of rule_id, kode_bapas, periode and subject.",
            nullable=False,
            primary_key=True,
        ),
        _c("rule_id", _V, "Rule from the catalogue (docs/quality-rules.md).", nullable=False),
        _c(
            "rule_family",
            _V,
            "completeness, timeliness, validity, consistency, ...",
            nullable=False,
        ),
        _c("severity", _V, "error, warning or info.", nullable=False),
        _c("report_kind", _V, "monthly or annual_plan."),
        _c("kode_bapas", _V, "Bapas concerned."),
        _c("kode_kanwil", _V, "Its Kanwil."),
        _c("periode", _V, "Reporting period (YYYY-MM or YYYY).", attr="period"),
        _c("submission_id", _V, "Submission the finding was seen in (last time)."),
        _c("affected_rows", _I, "Rows affected."),
        _c("sample_rows", _V, 'JSON list of {"sheet","row","column","value"}, pseudonymous.'),
        _c("message_id", _V, "Message for the clerk (Bahasa Indonesia)."),
        _c("hint_id", _V, "How to fix it (Bahasa Indonesia)."),
        _c("message_en", _V, "Message in English."),
        _c("hint_en", _V, "Hint in English."),
        _c("first_seen", _T, "First run that saw it (naive UTC).", nullable=False),
        _c("last_seen", _T, "Last run that saw it (naive UTC).", nullable=False),
        _c("resolved_at", _T, "When a run no longer saw it."),
        _c("status", _V, "open, acknowledged or resolved.", nullable=False),
        _c("status_comment", _V, "Operator's triage comment."),
        _c("follow_up", _B, "Marked for follow-up by an operator.", nullable=False),
    ),
)

QUALITY_FINDING_EVENTS = Table(
    QUALITY_SCHEMA,
    "finding_events",
    "History of each finding, one row per event.",
    "quality/findings.py",
    (
        _c("finding_id", _V, "The finding.", nullable=False),
        _c("event_at", _T, "When (naive UTC).", nullable=False),
        _c(
            "event",
            _V,
            "opened, reopened, resolved, acknowledged, follow_up, follow_up_cleared.",
            nullable=False,
        ),
        _c("status", _V, "Status after the event.", nullable=False),
        _c("comment", _V, "Operator comment, if any."),
        _c("submission_id", _V, "Submission the run saw it in."),
        _c("affected_rows", _I, "Rows affected at that time."),
    ),
)

QUALITY_SUBMISSION_STATUS = Table(
    QUALITY_SCHEMA,
    "submission_status",
    "The expected-reports register: one row per Bapas x report kind x period that is owed.",
    "quality/completeness.py",
    (
        _c("kode_bapas", _V, "Bapas owing the report.", nullable=False),
        _c("kode_kanwil", _V, "Its Kanwil.", nullable=False),
        _c("report_kind", _V, "monthly or annual_plan.", nullable=False),
        _c("periode", _V, "Reporting period (YYYY-MM or YYYY).", nullable=False, attr="period"),
        _c("deadline", _D, "Last on-time day (Asia/Jakarta date).", nullable=False),
        _c(
            "received",
            _B,
            "A file was received (held and reprocessed rows excluded).",
            nullable=False,
        ),
        _c("first_received_at", _T, "First file received (naive UTC)."),
        _c("accepted", _B, "An accepted version exists.", nullable=False),
        _c("on_time", _B, "Received by the deadline (Jakarta date).", nullable=False),
        _c("status", _V, "on_time, late, missing, rejected or not_yet_due.", nullable=False),
        _c("days_overdue", _I, "Days past the deadline while still missing.", nullable=False),
        _c("possibly_inactive", _B, "Silent for several periods: may have closed.", nullable=False),
        _c("current_submission_id", _V, "The accepted version in force."),
        _c("as_of_date", _D, "Judging day the register was computed for.", nullable=False),
        # The one decision behind every reporting indicator (quality/indicators.py, issue 13):
        # the mart, `lipas check` and the digest count these columns.
        _c(
            "counts_as_expected",
            _B,
            "Owed and due (or a file already arrived): counted as expected.",
            nullable=False,
            added_later=True,
        ),
        _c(
            "counts_as_reported",
            _B,
            "An accepted version exists (rejected-only or held does not count).",
            nullable=False,
            added_later=True,
        ),
        _c(
            "counts_as_on_time",
            _B,
            "Reported, first accepted version by the deadline (Jakarta date).",
            nullable=False,
            added_later=True,
        ),
    ),
)

QUALITY_SUBMISSION_SCORES = Table(
    QUALITY_SCHEMA,
    "submission_scores",
    "Quality score (0-100) per Bapas x report kind x period (docs/quality-rules.md).",
    "quality/score.py",
    (
        _c("kode_bapas", _V, "Bapas.", nullable=False),
        _c("report_kind", _V, "monthly or annual_plan.", nullable=False),
        _c("periode", _V, "Reporting period (YYYY-MM or YYYY).", nullable=False, attr="period"),
        _c("completeness_score", _F, "Completeness component, 0-100.", nullable=False),
        _c("timeliness_score", _F, "Timeliness component, 0-100.", nullable=False),
        _c("findings_score", _F, "Open-findings component, 0-100.", nullable=False),
        _c("quality_score", _F, "Weighted score, 0-100.", nullable=False),
        _c("open_errors", _I, "Open error findings.", nullable=False),
        _c("open_warnings", _I, "Open warning findings.", nullable=False),
        _c("computed_at", _T, "When it was computed (naive UTC).", nullable=False),
    ),
)

LEDGER_TABLES: tuple[Table, ...] = (
    LEDGER_SUBMISSIONS,
    LEDGER_ROW_ISSUES,
    LEDGER_REDACTIONS,
    LEDGER_RAW_SCANS,
)
QUALITY_TABLES: tuple[Table, ...] = (
    QUALITY_FINDINGS,
    QUALITY_FINDING_EVENTS,
    QUALITY_SUBMISSION_STATUS,
    QUALITY_SUBMISSION_SCORES,
)
# What dbt reads as sources and so must exist (empty) before quality has ever run.
DBT_QUALITY_SOURCES: tuple[Table, ...] = (QUALITY_SUBMISSION_STATUS, QUALITY_SUBMISSION_SCORES)
INTERFACE_TABLES: tuple[Table, ...] = LEDGER_TABLES + QUALITY_TABLES

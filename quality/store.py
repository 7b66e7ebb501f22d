"""DDL of the quality.* tables (the quality -> dbt/alerts interface in docs/architecture.md)."""

from __future__ import annotations

import duckdb

QUALITY_SCHEMA = "quality"

FINDINGS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("finding_id", "VARCHAR PRIMARY KEY"),
    ("rule_id", "VARCHAR"),
    ("rule_family", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("report_kind", "VARCHAR"),
    ("kode_bapas", "VARCHAR"),
    ("kode_kanwil", "VARCHAR"),
    ("periode", "VARCHAR"),
    ("submission_id", "VARCHAR"),
    ("affected_rows", "INTEGER"),
    ("sample_rows", "VARCHAR"),
    ("message_id", "VARCHAR"),
    ("hint_id", "VARCHAR"),
    ("message_en", "VARCHAR"),
    ("hint_en", "VARCHAR"),
    ("first_seen", "TIMESTAMP"),
    ("last_seen", "TIMESTAMP"),
    ("resolved_at", "TIMESTAMP"),
    ("status", "VARCHAR"),
    ("status_comment", "VARCHAR"),
    ("follow_up", "BOOLEAN"),
)

FINDING_EVENTS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("finding_id", "VARCHAR"),
    ("event_at", "TIMESTAMP"),
    ("event", "VARCHAR"),
    ("status", "VARCHAR"),
    ("comment", "VARCHAR"),
    ("submission_id", "VARCHAR"),
    ("affected_rows", "INTEGER"),
)

SUBMISSION_STATUS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kode_bapas", "VARCHAR"),
    ("kode_kanwil", "VARCHAR"),
    ("report_kind", "VARCHAR"),
    ("periode", "VARCHAR"),
    ("deadline", "DATE"),
    ("received", "BOOLEAN"),
    ("first_received_at", "TIMESTAMP"),
    ("accepted", "BOOLEAN"),
    ("on_time", "BOOLEAN"),
    ("status", "VARCHAR"),
    ("days_overdue", "INTEGER"),
    ("possibly_inactive", "BOOLEAN"),
    ("current_submission_id", "VARCHAR"),
    ("as_of_date", "DATE"),
)

SUBMISSION_SCORES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kode_bapas", "VARCHAR"),
    ("report_kind", "VARCHAR"),
    ("periode", "VARCHAR"),
    ("completeness_score", "DOUBLE"),
    ("timeliness_score", "DOUBLE"),
    ("findings_score", "DOUBLE"),
    ("quality_score", "DOUBLE"),
    ("open_errors", "INTEGER"),
    ("open_warnings", "INTEGER"),
    ("computed_at", "TIMESTAMP"),
)

QUALITY_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "findings": FINDINGS_COLUMNS,
    "finding_events": FINDING_EVENTS_COLUMNS,
    "submission_status": SUBMISSION_STATUS_COLUMNS,
    "submission_scores": SUBMISSION_SCORES_COLUMNS,
}


def ensure_quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the quality schema and tables if missing (idempotent, columns from constants)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {QUALITY_SCHEMA}")
    for table, columns in QUALITY_TABLES.items():
        body = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {QUALITY_SCHEMA}.{table} ({body})")

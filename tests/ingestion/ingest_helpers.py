"""Shared helpers for the ingestion tests (run the pipeline, read the ledger)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.settings import Settings
from ingestion.pipeline import IngestSummary, ingest_landing


def run_ingest(settings: Settings, landing: Path | None = None) -> IngestSummary:
    """One ingestion run (workers come from LIPAS_INGEST_WORKERS, set per test)."""
    return ingest_landing(settings, landing)


def query(
    settings: Settings, sql: str, params: list[object] | None = None
) -> list[tuple[object, ...]]:
    """Read-only query against the test warehouse."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def ledger_rows(settings: Settings) -> list[tuple[object, ...]]:
    """(original_path, status, error_code, kode_bapas, periode, version, is_current), ordered."""
    return query(
        settings,
        "SELECT original_path, status, error_code, kode_bapas, periode, version, is_current "
        "FROM ledger.submissions ORDER BY received_at, original_path",
    )


def landing_files(settings: Settings) -> list[Path]:
    """Everything still in landing."""
    return sorted(p for p in settings.landing_dir.rglob("*") if p.is_file())

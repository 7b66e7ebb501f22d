"""Committing one submission: raw rows, ledger row, versioning and quarantine, all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion import ledger
from ingestion.discover import Candidate
from ingestion.load import insert_parquet
from ingestion.quarantine import Rejection, write_quarantine_report
from ingestion.redact import scrub
from ingestion.settings import Settings
from ingestion.worker import ParseJob, ParseOutcome

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    """What happened to one landing item."""

    original_path: str
    submission_id: str
    status: str  # accepted | rejected | duplicate | superseded | already_ingested
    error_code: str | None = None
    report_kind: str | None = None
    kode_bapas: str | None = None
    periode: str | None = None
    rows_loaded: int = 0


@dataclass(frozen=True)
class Decision:
    """An archived candidate and what it needs: parse, reject, duplicate or nothing."""

    candidate: Candidate
    sha256: str
    archived_path: Path
    submission_id: str
    ingested_at: dt.datetime
    action: str = "parse"  # parse | reject | duplicate | already_ingested
    job: ParseJob | None = None
    rejection: Rejection | None = None

    def but(self, **changes: object) -> Decision:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def unknown_format(candidate: Candidate) -> Rejection:
    """Neither .xlsx, .zip nor a CSV folder with an IDENTITAS file."""
    return Rejection(
        "unknown_format",
        f"Format berkas '{candidate.path.suffix or candidate.path.name}' tidak dikenali.",
        f"File format '{candidate.path.suffix or candidate.path.name}' is not recognised.",
        hint_id="Kirim laporan sebagai .xlsx, atau folder/.zip berisi berkas CSV per sheet "
        "(IDENTITAS.csv, KLIEN.csv, ...).",
        hint_en="Send the report as .xlsx, or a folder/.zip of one CSV per sheet "
        "(IDENTITAS.csv, KLIEN.csv, ...).",
    )


def _entry(
    d: Decision, status: str, outcome: ParseOutcome | None, **extra: object
) -> ledger.LedgerEntry:
    values: dict[str, object] = {
        "submission_id": d.submission_id,
        "sha256": d.sha256,
        "original_path": d.candidate.rel_path,
        "original_name": d.candidate.path.name,
        "archived_path": str(d.archived_path),
        "file_format": d.candidate.file_format,
        "report_kind": outcome.report_kind if outcome else None,
        "kode_bapas": outcome.kode_bapas if outcome else None,
        "periode": outcome.periode if outcome else None,
        "received_at": d.candidate.received_at,
        "ingested_at": d.ingested_at,
        "version": None,
        "status": status,
        "is_current": False,
        "error_code": None,
        "error_summary": None,
        "row_counts": None,
    }
    values.update(extra)
    return ledger.LedgerEntry(**values)  # type: ignore[arg-type]


def _accept(
    con: duckdb.DuckDBPyConnection,
    d: Decision,
    outcome: ParseOutcome,
    crash: Callable[[str], None],
) -> FileResult:
    kind, bapas, periode = outcome.report_kind, outcome.kode_bapas, outcome.periode
    assert kind is not None and bapas is not None and periode is not None
    rows = sum(ledger_rows for ledger_rows in outcome.row_counts.values())
    current, count = ledger.current_version(con, kind, bapas, periode)
    # The newest by received_at is current; a late-arriving older file is kept as superseded.
    becomes_current = current is None or current.received_at <= d.candidate.received_at
    con.execute("BEGIN TRANSACTION")
    try:
        for raw_table, path in sorted(outcome.parquet.items()):
            insert_parquet(con, raw_table, path)
        crash("loaded")
        if becomes_current and current is not None:
            ledger.mark_superseded(con, current.submission_id)
        notes = "; ".join(outcome.notes)
        entry = _entry(
            d,
            "accepted" if becomes_current else "superseded",
            outcome,
            version=count + 1,
            is_current=becomes_current,
            error_summary=scrub(f"catatan / notes: {notes}") if notes else None,
            row_counts=ledger.row_counts_json(outcome.row_counts),
        )
        ledger.insert_entry(con, entry)
        ledger.insert_row_issues(con, d.submission_id, outcome.issues)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return FileResult(
        d.candidate.rel_path, d.submission_id, entry.status, None, kind, bapas, periode, rows
    )


def _insert_alone(con: duckdb.DuckDBPyConnection, entry: ledger.LedgerEntry) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        ledger.insert_entry(con, entry)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def commit_outcome(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    d: Decision,
    outcome: ParseOutcome | None,
    crash: Callable[[str], None],
) -> FileResult:
    """Write the ledger (and raw rows or quarantine report) for one decision."""
    path = d.candidate.rel_path
    if d.action == "already_ingested":
        return FileResult(path, d.submission_id, "already_ingested")
    if d.action == "duplicate":
        # Re-checked here: an identical file earlier in this same run is committed by now.
        first = ledger.find_by_sha(con, d.sha256)
        original = first[0] if first else None
        entry = _entry(
            d,
            "duplicate",
            None,
            report_kind=original.report_kind if original else None,
            kode_bapas=original.kode_bapas if original else None,
            periode=original.periode if original else None,
            error_summary=(
                f"sama persis dengan / identical to {original.submission_id}" if original else None
            ),
        )
        _insert_alone(con, entry)
        crash("committed")
        return FileResult(
            path, d.submission_id, "duplicate", None, entry.report_kind, entry.kode_bapas,
            entry.periode,
        )  # fmt: skip
    rejection = d.rejection or (outcome.rejection if outcome else None)
    if rejection is None and outcome is not None:
        result = _accept(con, d, outcome, crash)
        crash("committed")
        return result
    assert rejection is not None
    # The report is written before the ledger commit: a crash in between rewrites it identically.
    write_quarantine_report(
        settings.quarantine_dir, d.submission_id, d.candidate.path.name,
        d.candidate.received_at, rejection,
    )  # fmt: skip
    entry = _entry(
        d, "rejected", outcome, error_code=rejection.error_code, error_summary=rejection.summary()
    )
    _insert_alone(con, entry)
    crash("committed")
    return FileResult(
        path, d.submission_id, "rejected", rejection.error_code, entry.report_kind,
        entry.kode_bapas, entry.periode,
    )  # fmt: skip


def remove_from_landing(candidate: Candidate, landing: Path) -> None:
    """Delete a committed item from landing, then prune the empty folders it leaves."""
    target = candidate.path
    if candidate.file_format == "csv_folder":
        for child in target.iterdir():
            if (
                child.is_file()
                and child.suffix.lower() == ".csv"
                and not child.name.startswith(".")
            ):
                child.unlink()
    elif target.exists():
        target.unlink()
    parent = target if candidate.file_format == "csv_folder" else target.parent
    landing = landing.resolve()
    while parent.resolve() != landing and landing in parent.resolve().parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    logger.debug("removed %s from landing", candidate.rel_path)

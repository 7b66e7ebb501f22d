"""The parse step, run in a worker process: read, validate, pseudonymise, write Parquet.

It never touches the database (one writer: the main process) and never raises: every outcome,
including an unexpected bug, comes back as a picklable result.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.discover import identity_sheet_names
from ingestion.errors import RowIssue, SubmissionError
from ingestion.load import parquet_path, write_parquet_atomic
from ingestion.quarantine import Rejection
from ingestion.readers.base import RawWorkbook
from ingestion.readers.csvfiles import open_csv_folder, open_csv_zip, too_large
from ingestion.readers.xlsx import open_xlsx
from ingestion.redact import scrub
from ingestion.transform import Lineage, build_tables
from ingestion.validate import validate_structure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseJob:
    """Everything a worker needs; plain values only (it crosses a process boundary)."""

    submission_id: str
    archived_path: Path
    file_format: str
    original_name: str
    sha256: str
    raw_dir: Path
    max_file_bytes: int
    key: bytes
    loaded_at: dt.datetime


@dataclass(frozen=True)
class ParseOutcome:
    """Accepted (parquet files written) or rejected (a Rejection), never both."""

    submission_id: str
    report_kind: str | None = None
    kode_bapas: str | None = None
    periode: str | None = None
    parquet: dict[str, Path] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejection: Rejection | None = None


def warm_up() -> None:
    """Load the contract and reference data once per worker, while the writer archives."""
    from ingestion.reference import bapas_by_code, province_codes

    identity_sheet_names()
    bapas_by_code()
    province_codes()


def watch_parent(main_pid: int, interval: float = 0.5) -> None:
    """Pool initializer: exit when the ingesting process is gone (killed with -9 or crashed).

    Orphaned pool workers would otherwise wait forever on their job queue and keep the
    forkserver (and any pipes they inherited) alive. A zombie counts as gone.
    """
    import psutil

    def alive() -> bool:
        try:
            return bool(psutil.Process(main_pid).status() != psutil.STATUS_ZOMBIE)
        except psutil.Error:
            return False

    def watch() -> None:
        while alive():
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="lipas-orphan-watch", daemon=True).start()


def rejection_from(error: SubmissionError) -> Rejection:
    """Picklable, scrubbed copy of a SubmissionError."""
    return Rejection(
        error_code=error.error_code,
        message_id=scrub(error.message_id),
        message_en=scrub(error.message_en),
        hint_id=scrub(error.hint_id),
        hint_en=scrub(error.hint_en),
        sheet=error.sheet,
        row=error.row,
        column=error.column,
        value=scrub(error.value) if error.value else None,
    )


def open_submission(path: Path, file_format: str, max_file_bytes: int) -> RawWorkbook:
    """The reader for a file format; size is checked before anything is parsed."""
    if file_format == "csv_folder":
        return open_csv_folder(path, max_file_bytes)
    size = path.stat().st_size
    if size > max_file_bytes:
        raise too_large(size, max_file_bytes)
    if file_format == "xlsx":
        return open_xlsx(path)
    return open_csv_zip(path)


def parse_submission(job: ParseJob) -> ParseOutcome:
    """Run one submission through read -> validate -> transform -> Parquet."""
    try:
        book = open_submission(job.archived_path, job.file_format, job.max_file_bytes)
        structure = validate_structure(book)
        lineage = Lineage(job.submission_id, job.original_name, job.sha256, job.loaded_at)
        tables, issues = build_tables(structure, lineage, job.key)
        paths: dict[str, Path] = {}
        for raw_table, table in tables.items():
            path = parquet_path(job.raw_dir, raw_table, job.submission_id)
            write_parquet_atomic(table, path)
            paths[raw_table] = path
        return ParseOutcome(
            submission_id=job.submission_id,
            report_kind=structure.kind.kind,
            kode_bapas=structure.kode_bapas,
            periode=structure.periode,
            parquet=paths,
            row_counts={t.spec.name: len(t.cells) for t in structure.sheets.values()},
            issues=issues,
            notes=[scrub(n) for n in (structure.notes + book.notes)],
        )
    except SubmissionError as exc:
        return ParseOutcome(
            job.submission_id,
            report_kind=exc.report_kind,
            kode_bapas=exc.kode_bapas,
            periode=exc.periode,
            rejection=rejection_from(exc),
        )
    except Exception as exc:  # a reader/parser bug must not stop the nightly run
        logger.error(
            "unexpected error parsing %s (%s): %s",
            job.original_name,
            type(exc).__name__,
            scrub(traceback.format_exc()),
        )
        return ParseOutcome(
            job.submission_id,
            rejection=Rejection(
                "unreadable",
                "Berkas tidak dapat diproses karena kesalahan tak terduga.",
                f"The file could not be processed because of an unexpected error "
                f"({type(exc).__name__}).",
                hint_id="Simpan ulang dari templat terbaru; hubungi Ditjenpas jika berulang.",
                hint_en="Save the file again from the latest template; contact Ditjenpas if it "
                "happens again.",
            ),
        )

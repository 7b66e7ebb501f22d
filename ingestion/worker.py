"""The parse step, run in a worker process: read, validate, pseudonymise, write Parquet.

It never touches the database (one writer: the main process) and never raises: every outcome,
including an unexpected bug, comes back as a picklable result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from core.errors import RowIssue, SubmissionError
from core.redact import mask_long_runs, scrub
from core.settings import DEFAULT_MAX_ROWS_PER_SHEET
from ingestion.discover import identity_sheet_names
from ingestion.identity import check_path
from ingestion.load import ParquetBatch, parquet_path
from ingestion.quarantine import Rejection
from ingestion.readers.base import RawWorkbook, check_row_limits
from ingestion.readers.csvfiles import open_csv_folder, open_csv_zip, too_large
from ingestion.readers.ods import open_ods
from ingestion.readers.xlsx import open_xlsx
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
    # Path in landing (folders + file name): its identity hints are checked against IDENTITAS.
    original_path: str = ""
    max_rows_per_sheet: int = DEFAULT_MAX_ROWS_PER_SHEET


@dataclass(frozen=True)
class ParseOutcome:
    """Accepted (parquet files written) or rejected (a Rejection), never both."""

    submission_id: str
    report_kind: str | None = None
    kode_bapas: str | None = None
    period: str | None = None
    parquet: dict[str, Path] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rejection: Rejection | None = None
    versi: int | None = None
    # Set when the path names another Bapas/period than IDENTITAS: loaded, but held.
    hold: Rejection | None = None
    path_kode_bapas: str | None = None
    path_period: str | None = None


def warm_up() -> None:
    """Load the contract and reference data once per worker, while the writer archives."""
    from core.reference import bapas_by_code, province_codes

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
        detail=scrub(error.detail),
    )


def _scrubbed(hold: Rejection | None) -> Rejection | None:
    if hold is None:
        return None
    return dataclasses.replace(
        hold, message_id=scrub(hold.message_id), message_en=scrub(hold.message_en)
    )


def open_submission(
    path: Path, file_format: str, max_file_bytes: int, max_rows: int | None = None
) -> RawWorkbook:
    """The reader for a file format; size is checked before anything is parsed."""
    if file_format == "csv_folder":
        return open_csv_folder(path, max_file_bytes, max_rows)
    size = path.stat().st_size
    if size > max_file_bytes:
        raise too_large(size, max_file_bytes)
    if file_format == "xlsx":
        return open_xlsx(path, max_rows)
    if file_format == "ods":  # LibreOffice's own format (issue #15 item 4)
        return open_ods(path, max_rows)
    return open_csv_zip(path, max_rows, max_file_bytes)


def parse_submission(job: ParseJob) -> ParseOutcome:
    """Run one submission through read -> validate -> transform -> Parquet."""
    try:
        book = open_submission(
            job.archived_path, job.file_format, job.max_file_bytes, job.max_rows_per_sheet
        )
        structure = validate_structure(book)
        check_row_limits(
            {t.spec.name: len(t.cells) for t in structure.sheets.values()},
            job.max_rows_per_sheet,
            (structure.kind.kind, structure.kode_bapas, structure.period),
        )
        lineage = Lineage(job.submission_id, job.original_name, job.sha256, job.loaded_at)
        paths: dict[str, Path] = {}
        with ParquetBatch() as batch:

            def write(raw_table: str, table: pa.Table) -> None:
                # Written as each sheet is built: one sheet's table in memory at a time.
                paths[raw_table] = parquet_path(job.raw_dir, raw_table, job.submission_id)
                batch.write(table, paths[raw_table])

            _, issues = build_tables(structure, lineage, job.key, sink=write)
        check = check_path(
            job.original_path, structure.kind.period_type, structure.kode_bapas, structure.period
        )
        return ParseOutcome(
            submission_id=job.submission_id,
            report_kind=structure.kind.kind,
            kode_bapas=structure.kode_bapas,
            period=structure.period,
            parquet=paths,
            row_counts={t.spec.name: len(t.cells) for t in structure.sheets.values()},
            issues=issues,
            notes=[scrub(n) for n in (structure.notes + book.notes)],
            versi=structure.versi,
            hold=_scrubbed(check.hold),
            path_kode_bapas=check.path_kode_bapas,
            path_period=check.path_period,
        )
    except SubmissionError as exc:
        return ParseOutcome(
            job.submission_id,
            report_kind=exc.report_kind,
            kode_bapas=exc.kode_bapas,
            period=exc.period,
            rejection=rejection_from(exc),
        )
    except Exception as exc:  # a reader/parser bug must not stop the nightly run
        logger.error(
            "unexpected error parsing %s (%s): %s",
            mask_long_runs(job.original_name),
            type(exc).__name__,
            scrub(traceback.format_exc()),
        )
        return ParseOutcome(
            job.submission_id,
            rejection=Rejection(
                "unreadable",
                "Berkas tidak dapat diproses karena kesalahan tak terduga.",
                "The file could not be processed because of an unexpected error.",
                hint_id="Simpan ulang dari templat terbaru; hubungi Ditjenpas jika berulang.",
                hint_en="Save the file again from the latest template; contact Ditjenpas if it "
                "happens again.",
                detail=scrub(f"unexpected {type(exc).__name__}: {exc}")[:300],
            ),
        )

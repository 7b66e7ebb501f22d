"""Operator decisions on a ledgered submission: re-run it from its archive, or release a held one.

`reprocess`: a rejected (or held) file whose cause has gone (a raised LIPAS_MAX_FILE_MB, a
corrected reference list, a fixed parser) would be a `duplicate` forever if resent, because its
bytes are already in the ledger. Reprocessing parses the archived original again as a new ledger
row with the original `received_at` (arrival time is never later than when we first saw it);
the old row stays, marked `reprocessed`, with a pointer to the new one.

`release`: an operator who has checked a held file puts it in force deliberately, under the
identity its IDENTITAS sheet gives; the previous current version becomes `superseded`.

Both take the warehouse's write lock like an ingestion run (`connect_writer`): while a nightly
run or an ingestion holds it they stop with WarehouseBusyError, having changed nothing.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.period import utc_now
from core.redact import scrub
from core.settings import Settings
from ingestion import ledger
from ingestion.discover import Candidate
from ingestion.pipeline import connect_writer
from ingestion.pseudonymise import resolve_pseudonym_key
from ingestion.submit import Decision, FileResult, commit_outcome
from ingestion.worker import ParseJob, parse_submission

logger = logging.getLogger(__name__)

REPROCESSABLE = ("rejected", "held")


class OperatorError(Exception):
    """The requested decision does not apply to this submission (message for the operator)."""


@dataclass(frozen=True)
class Released:
    """The outcome of `release_submission`."""

    submission_id: str
    kode_bapas: str | None
    period: str | None
    version: int
    superseded: str | None


def reprocess_id(old_id: str, sha256: str) -> str:
    """Deterministic id of the re-run: a crashed reprocess repeated gets the same id."""
    seed = f"{sha256}|reprocess-of|{old_id}".encode()
    return "s" + base64.b32encode(hashlib.sha256(seed).digest()).decode("ascii")[:20].lower()


def _entry_or_fail(con: duckdb.DuckDBPyConnection, submission_id: str) -> ledger.LedgerEntry:
    entry = ledger.get_entry(con, submission_id)
    if entry is None:
        raise OperatorError(f"submission {submission_id!r} is not in the ledger")
    return entry


def reprocess_submission(settings: Settings, submission_id: str) -> FileResult:
    """Parse a rejected or held submission again from its archived original."""
    settings.ensure_dirs()
    with connect_writer(settings) as con:
        ledger.ensure_ledger_tables(con)
        ledger.ensure_raw_tables(con)
        old = _entry_or_fail(con, submission_id)
        if old.status not in REPROCESSABLE:
            raise OperatorError(
                f"submission {submission_id} is {old.status}; only {' or '.join(REPROCESSABLE)} "
                "submissions can be reprocessed"
            )
        archived = Path(old.archived_path or "")
        if old.file_format == "unknown" or not archived.exists():
            raise OperatorError(f"submission {submission_id} has no archived report to re-read")
        new_id = reprocess_id(submission_id, old.sha256)
        done = ledger.get_entry(con, new_id)
        if done is None:
            result = _run(con, settings, old, archived, new_id)
        else:  # a crashed reprocess committed the new row but not the old row's mark
            result = FileResult(
                old.original_path, new_id, done.status, done.error_code, done.report_kind,
                done.kode_bapas, done.period,
            )  # fmt: skip
        con.execute("BEGIN TRANSACTION")
        try:
            ledger.set_status(
                con, submission_id, "reprocessed", f"diproses ulang / reprocessed as {new_id}"
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    logger.info("reprocess: %s -> %s (%s)", submission_id, new_id, result.status)
    return result


def _run(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    old: ledger.LedgerEntry,
    archived: Path,
    new_id: str,
) -> FileResult:
    now = utc_now()
    size = (
        sum(p.stat().st_size for p in archived.iterdir()) if archived.is_dir()
        else archived.stat().st_size
    )  # fmt: skip
    candidate = Candidate(archived, old.original_path, old.file_format, old.received_at, size)
    job = ParseJob(
        new_id, archived, old.file_format, archived.name, old.sha256, settings.raw_dir,
        settings.max_file_bytes, resolve_pseudonym_key(purpose="`lipas reprocess`"), now,
        old.original_path,
    )  # fmt: skip
    decision = Decision(candidate, old.sha256, archived, new_id, now, "parse", job)
    return commit_outcome(con, settings, decision, parse_submission(job), lambda _step: None)


def release_submission(settings: Settings, submission_id: str, note: str = "") -> Released:
    """Put a held submission in force under its IDENTITAS identity, after an operator's check."""
    with connect_writer(settings) as con:
        ledger.ensure_ledger_tables(con)
        entry = _entry_or_fail(con, submission_id)
        if entry.status != "held":
            raise OperatorError(f"submission {submission_id} is {entry.status}, not held")
        assert entry.report_kind and entry.kode_bapas and entry.period
        current, count = ledger.current_version(
            con, entry.report_kind, entry.kode_bapas, entry.period
        )
        summary = "; ".join(
            p
            for p in (
                entry.error_summary,
                scrub(f"diterima operator / released by operator: {note}".strip(": ")),
            )
            if p
        )
        con.execute("BEGIN TRANSACTION")
        try:
            if current is not None:
                ledger.mark_superseded(con, current.submission_id)
            ledger.make_current(con, submission_id, count + 1, summary)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    logger.info("release: %s is current for %s %s", submission_id, entry.kode_bapas, entry.period)
    return Released(
        submission_id, entry.kode_bapas, entry.period, count + 1,
        current.submission_id if current else None,
    )  # fmt: skip

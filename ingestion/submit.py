"""Committing submissions: raw rows, ledger row, versioning and quarantine, all or nothing.

Files are committed in groups, one transaction each (`commit_group`): a transaction's commit
(WAL write and fsync) and each INSERT's planning cost the same for one file as for thirty, and
per file they were most of the writer's time (issue 16). Every file in a group is still all or
nothing: the group commits together or not at all, and a re-run redoes the uncommitted files
under the same ids. A group that fails is retried one file per transaction, so one bad file
never takes the others with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.redact import mask_long_runs, scrub
from core.settings import Settings
from ingestion import ledger
from ingestion.discover import Candidate
from ingestion.load import RawInserts
from ingestion.quarantine import Rejection, write_quarantine_report
from ingestion.versions import VersionDecision, decide_version
from ingestion.worker import ParseJob, ParseOutcome

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    """What happened to one landing item."""

    original_path: str
    submission_id: str
    status: str  # accepted | rejected | duplicate | superseded | held | already_ingested
    error_code: str | None = None
    report_kind: str | None = None
    kode_bapas: str | None = None
    period: str | None = None
    rows_loaded: int = 0


@dataclass(frozen=True)
class Decision:
    """An archived candidate and what it needs: parse, reject, duplicate or nothing."""

    candidate: Candidate
    sha256: str
    archived_path: Path | None  # None: archiving failed, the item stays in landing
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
        f"Format berkas '{Path(candidate.name).suffix or candidate.name}' tidak dikenali.",
        f"File format '{Path(candidate.name).suffix or candidate.name}' is not recognised.",
        hint_id="Kirim laporan sebagai .xlsx atau .ods, atau folder/.zip berisi berkas CSV per "
        "sheet (IDENTITAS.csv, KLIEN.csv, ...).",
        hint_en="Send the report as .xlsx or .ods, or a folder/.zip of one CSV per sheet "
        "(IDENTITAS.csv, KLIEN.csv, ...).",
    )


def _entry(
    d: Decision, status: str, outcome: ParseOutcome | None, **extra: object
) -> ledger.LedgerEntry:
    values: dict[str, object] = {
        "submission_id": d.submission_id,
        "sha256": d.sha256,
        # A NIP typed into a file name must not reach the warehouse: digits masked, name kept.
        "original_path": mask_long_runs(d.candidate.rel_path),
        "original_name": mask_long_runs(d.candidate.name),
        "archived_path": str(d.archived_path) if d.archived_path is not None else None,
        "file_format": d.candidate.file_format,
        "report_kind": outcome.report_kind if outcome else None,
        "kode_bapas": outcome.kode_bapas if outcome else None,
        "period": outcome.period if outcome else None,
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
    settings: Settings,
    d: Decision,
    outcome: ParseOutcome,
    inserts: RawInserts,
) -> FileResult:
    """Queue one parsed file's raw rows and write its ledger row, in the group's transaction."""
    kind, bapas, period = outcome.report_kind, outcome.kode_bapas, outcome.period
    assert kind is not None and bapas is not None and period is not None
    rows = sum(ledger_rows for ledger_rows in outcome.row_counts.values())
    current, count = ledger.current_version(con, kind, bapas, period)
    # Identity is decided before version: a file held for its identity supersedes nothing.
    if outcome.hold is not None:
        decision = VersionDecision("held", False, hold=outcome.hold)
    else:
        decision = decide_version(current, outcome.versi, d.candidate.received_at)
    if decision.hold is not None:
        # Written before the commit, like a rejection's report: a crash rewrites it identically.
        write_quarantine_report(
            settings.quarantine_dir, d.submission_id, d.candidate.name,
            d.candidate.received_at, decision.hold, held=True,
            extra={"path_kode_bapas": outcome.path_kode_bapas or bapas,
                   "path_periode": outcome.path_period or period},
            kode_bapas=bapas, period=period,
        )  # fmt: skip
    for raw_table, path in sorted(outcome.parquet.items()):
        inserts.add(raw_table, path)
    if decision.becomes_current and current is not None:
        ledger.mark_superseded(con, current.submission_id)
    notes = "; ".join([*outcome.notes, *([decision.note] if decision.note else [])])
    summary = decision.hold.summary() if decision.hold else None
    if notes:
        summary = "; ".join(p for p in (summary, f"catatan / notes: {notes}") if p)
    entry = _entry(
        d,
        decision.status,
        outcome,
        version=None if decision.status == "held" else count + 1,
        is_current=decision.becomes_current,
        error_code=decision.hold.error_code if decision.hold else None,
        error_summary=scrub(summary) if summary else None,
        row_counts=ledger.row_counts_json(outcome.row_counts),
        versi=outcome.versi,
        path_kode_bapas=outcome.path_kode_bapas,
        path_period=outcome.path_period,
    )
    ledger.insert_entry(con, entry)
    ledger.insert_row_issues(con, d.submission_id, outcome.issues)
    return FileResult(
        entry.original_path, d.submission_id, entry.status, entry.error_code, kind, bapas,
        period, rows,
    )  # fmt: skip


def _stage(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    d: Decision,
    outcome: ParseOutcome | None,
    inserts: RawInserts,
) -> FileResult:
    """Write one decision's ledger row (and queue its raw rows) inside the open transaction."""
    path = mask_long_runs(d.candidate.rel_path)
    if d.action == "already_ingested":
        return FileResult(path, d.submission_id, "already_ingested")
    if d.action == "duplicate":
        # Re-checked here: an identical file earlier in this run is in the ledger (or this
        # transaction) by now.
        first = ledger.find_by_sha(con, d.sha256)
        original = first[0] if first else None
        entry = _entry(
            d,
            "duplicate",
            None,
            report_kind=original.report_kind if original else None,
            kode_bapas=original.kode_bapas if original else None,
            period=original.period if original else None,
            error_summary=(
                f"sama persis dengan / identical to {original.submission_id}" if original else None
            ),
        )
        ledger.insert_entry(con, entry)
        return FileResult(
            path, d.submission_id, "duplicate", None, entry.report_kind, entry.kode_bapas,
            entry.period,
        )  # fmt: skip
    if _loads_rows(d, outcome):
        assert outcome is not None
        return _accept(con, settings, d, outcome, inserts)
    rejection = d.rejection or (outcome.rejection if outcome else None)
    assert rejection is not None
    # The report is written before the ledger commit: a crash in between rewrites it identically.
    write_quarantine_report(
        settings.quarantine_dir, d.submission_id, d.candidate.name,
        d.candidate.received_at, rejection,
        kode_bapas=outcome.kode_bapas if outcome else None,
        period=outcome.period if outcome else None,
    )  # fmt: skip
    entry = _entry(
        d, "rejected", outcome, error_code=rejection.error_code, error_summary=rejection.summary()
    )
    ledger.insert_entry(con, entry)
    return FileResult(
        path, d.submission_id, "rejected", rejection.error_code, entry.report_kind,
        entry.kode_bapas, entry.period,
    )  # fmt: skip


def _loads_rows(d: Decision, outcome: ParseOutcome | None) -> bool:
    return d.rejection is None and outcome is not None and outcome.rejection is None


def _commit_together(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    items: list[tuple[Decision, ParseOutcome | None]],
    crash: Callable[[str], None],
) -> list[FileResult]:
    if all(d.action == "already_ingested" for d, _ in items):  # nothing to write
        return [_stage(con, settings, d, o, RawInserts()) for d, o in items]
    inserts = RawInserts()
    con.execute("BEGIN TRANSACTION")
    try:
        results = [_stage(con, settings, d, outcome, inserts) for d, outcome in items]
        inserts.flush(con)
        for d, outcome in items:
            if _loads_rows(d, outcome):
                crash("loaded")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for d, _ in items:
        if d.action != "already_ingested":
            crash("committed")
    return results


def commit_group(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    items: list[tuple[Decision, ParseOutcome | None]],
    crash: Callable[[str], None],
) -> list[FileResult]:
    """Commit several decisions in one transaction; results in the same order.

    If the group fails, it is rolled back and each file is committed on its own, so the error
    surfaces from the file that causes it and the files before it are kept.
    """
    try:
        return _commit_together(con, settings, items, crash)
    except Exception as exc:
        if len(items) == 1:
            raise
        logger.warning(
            "ingest: a group of %d files failed to commit (%s); committing them one by one",
            len(items), type(exc).__name__,
        )  # fmt: skip
    return [r for item in items for r in _commit_together(con, settings, [item], crash)]


def commit_outcome(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    d: Decision,
    outcome: ParseOutcome | None,
    crash: Callable[[str], None],
) -> FileResult:
    """Write the ledger (and raw rows or quarantine report) for one decision, on its own."""
    return commit_group(con, settings, [(d, outcome)], crash)[0]


def remove_from_landing(candidate: Candidate, landing: Path) -> None:
    """Delete a committed item from landing, then prune the empty folders it leaves."""
    target = candidate.path
    if candidate.file_format == "csv_folder":
        # Only the files that were archived: a symlink beside them is its own item.
        for child in candidate.members:
            child.unlink(missing_ok=True)
    elif target.is_symlink() or target.exists():
        target.unlink()  # a symlink is removed itself, never its target
    parent = target if candidate.file_format == "csv_folder" else target.parent
    landing = landing.resolve()
    while parent.resolve() != landing and landing in parent.resolve().parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    logger.debug("removed %s from landing", mask_long_runs(candidate.rel_path))

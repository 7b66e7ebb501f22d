"""`lipas purge`: remove one submission's loaded rows when they carry personal data, audited.

The ledger row stays (what arrived, when, from whom is a fact); so does the archived original,
the restricted copy of what the Bapas sent, which is the only place raw PII may live (DESIGN
§7). Everything loaded from it goes: raw rows, raw Parquet, the values quoted in row issues and
in finding samples. ledger.redactions records who purged what, when, why and how many rows.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
from dataclasses import dataclass

import duckdb

from core.contract.raw_schema import LEDGER_SCHEMA, RAW_SCHEMA
from core.period import utc_now
from core.settings import Settings
from ingestion.ledger import ensure_ledger_tables, get_entry
from ingestion.load import parquet_path
from ingestion.pipeline import connect_writer
from ingestion.stored_masking import record_redactions, scanned_raw_columns

logger = logging.getLogger(__name__)

PURGE_ACTION = "purge"


class UnknownSubmissionError(LookupError):
    """The id names no row of ledger.submissions (nothing was changed)."""


@dataclass(frozen=True)
class PurgeResult:
    """What one purge removed (counts only) and the audit facts."""

    submission_id: str
    kode_bapas: str | None
    period: str | None
    status: str
    was_current: bool
    raw_rows: int
    parquet_files: int
    row_issue_values: int
    finding_samples: int
    actor: str
    reason: str
    purged_at: dt.datetime

    def summary(self) -> str:
        """The one line the CLI prints."""
        where = f"{self.kode_bapas or '?'} {self.period or '?'}"
        tail = "; it was in force: the period has no data until a corrected file arrives" * (
            self.was_current
        )
        return (
            f"purged {self.submission_id} ({where}, {self.status}): {self.raw_rows} raw rows, "
            f"{self.parquet_files} Parquet files, {self.row_issue_values} row-issue values, "
            f"{self.finding_samples} finding samples; ledger row and archive kept{tail}"
        )


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {(str(s), str(t)) for s, t in rows}


def _clear_finding_samples(con: duckdb.DuckDBPyConnection, submission_id: str) -> int:
    """Finding samples quote raw values: keep sheet/row/column, drop the values."""
    rows = con.execute(
        "select finding_id, sample_rows from quality.findings where submission_id = ?",
        [submission_id],
    ).fetchall()
    cleared = 0
    for finding_id, samples in rows:
        items = json.loads(samples or "[]")
        if not any(item.get("value") is not None for item in items):
            continue
        for item in items:
            item["value"] = None
        con.execute(
            "update quality.findings set sample_rows = ? where finding_id = ?",
            [json.dumps(items), finding_id],
        )
        cleared += 1
    return cleared


def _clear_validity_cache(
    con: duckdb.DuckDBPyConnection, submission_id: str, existing: set[tuple[str, str]]
) -> int:
    """The checks' cached GX failures quote cell values too (quality/validity_cache.py)."""
    removed = 0
    for table in ("failures", "checked"):
        if ("quality_cache", table) in existing:
            rows = con.execute(
                f"delete from quality_cache.{table} where submission_id = ? returning 1",
                [submission_id],
            ).fetchall()
            removed += len(rows) if table == "failures" else 0
    return removed


def purge_submission(
    settings: Settings,
    submission_id: str,
    reason: str = "",
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> PurgeResult:
    """Remove a submission's loaded rows (idempotent: a second purge finds nothing to remove).

    Raises UnknownSubmissionError when no ledger row has this id. A version in force stops
    being current: its rows are gone, so marts must not present it as the Bapas's report.
    """
    if not settings.warehouse_path.exists():
        raise UnknownSubmissionError(submission_id)
    moment = now or utc_now()
    who = actor or _actor()
    why = reason.strip() or "tidak disebutkan / not given"
    # The write lock as an ingestion run takes it: WarehouseBusyError while a run holds it.
    con = connect_writer(settings)
    try:
        ensure_ledger_tables(con)
        entry = get_entry(con, submission_id)
        if entry is None:
            raise UnknownSubmissionError(submission_id)
        existing = _tables(con)
        raw = [t for t in sorted(scanned_raw_columns()) if (RAW_SCHEMA, t) in existing]
        # Parquet first: if the transaction below failed, a re-run still removes the rows.
        files = [parquet_path(settings.raw_dir, t, submission_id) for t in raw]
        removed = [p for p in files if p.exists()]
        for path in removed:
            path.unlink()
        audit: list[tuple[str | None, str, str, int]] = []
        con.execute("begin transaction")
        try:
            raw_rows = 0
            for table in raw:
                # Table names come from the contract; the id is bound.
                row = con.execute(
                    f"delete from {RAW_SCHEMA}.{table} where submission_id = ? returning 1",
                    [submission_id],
                ).fetchall()
                raw_rows += len(row)
                if row:
                    audit.append((submission_id, f"{RAW_SCHEMA}.{table}", "*", len(row)))
            issues = con.execute(
                f"update {LEDGER_SCHEMA}.row_issues set value = null"
                " where submission_id = ? and value is not null returning 1",
                [submission_id],
            ).fetchall()
            if issues:
                audit.append((submission_id, f"{LEDGER_SCHEMA}.row_issues", "value", len(issues)))
            samples = 0
            if ("quality", "findings") in existing:
                samples = _clear_finding_samples(con, submission_id)
                if samples:
                    audit.append((submission_id, "quality.findings", "sample_rows", samples))
            cached = _clear_validity_cache(con, submission_id, existing)
            if cached:
                audit.append((submission_id, "quality_cache.failures", "*", cached))
            if removed:
                audit.append((submission_id, "raw_parquet", "*", len(removed)))
            if entry.is_current:
                con.execute(
                    f"update {LEDGER_SCHEMA}.submissions set is_current = false"
                    " where submission_id = ?",
                    [submission_id],
                )
            # The audit row is written even when nothing was left to remove: the request counts.
            record_redactions(
                con, audit or [(submission_id, "-", "-", 0)], PURGE_ACTION, why, who, moment
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
    result = PurgeResult(
        submission_id, entry.kode_bapas, entry.period, entry.status, bool(entry.is_current),
        raw_rows, len(removed), len(issues), samples, who, why, moment,
    )  # fmt: skip
    logger.info("purge: %s", result.summary())
    return result

"""Warehouse-wide integrity of the raw layer, and the gate that isolates what one file broke.

A NIK or NIP stored by one submission is masked in place (raw tables, raw Parquet, ledger file
names), audited in ledger.redactions and reported as a finding for that Bapas and period, and
the night goes on. Only what cannot be pinned on one submission blocks dbt: two current
versions of one Bapas-period, rows loaded twice, or a digit run still there after masking.

Raw is append-only per submission, so a night scans only the submissions the gate has not
scanned yet (ledger.raw_scans): scanning ten years of history every night was the check step
that grew with history (issue 16). A full pass still runs every LIPAS_RAW_FULL_SCAN_DAYS days,
on the first run, and whenever the scanned columns change: it catches rows that reached raw by
another door than ingestion, under an id the gate had already scanned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from core.contract.model import load_contract
from core.contract.raw_schema import RAW_SCHEMA, raw_tables
from core.duckdb_connect import open_duckdb
from core.errors import RowIssue
from core.period import utc_now
from core.redact import FILE_NAME_COLUMN, LONG_RUN_PATTERN, long_number_messages
from core.reference import load_bapas
from core.settings import Settings
from ingestion.ledger import ensure_ledger_tables, insert_row_issues
from ingestion.pseudonymise import resolve_pseudonym_key
from ingestion.stored_masking import (
    MaskedColumn,
    long_run_filter,
    mask_stored_long_runs,
    record_redactions,
    scanned_raw_columns,
    scope_filter,
)
from ingestion.transform import FILE_NAME_CODE, LONG_NUMBER_CODE
from quality.catalogue import rule
from quality.findings import reconcile
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow
from quality.parse_issues import ISSUE_RULES
from quality.raw_scans import SCOPE_TABLE, columns_digest, full_scan_due, select_scope
from quality.redaction import display_value
from quality.store import ensure_quality_tables

logger = logging.getLogger(__name__)

GATE_ACTOR = "raw_integrity_gate"
GATE_REASON = "angka panjang (NIK/NIP?) di kolom teks / long digit run in a text column"


@dataclass(frozen=True)
class IsolatedSubmission:
    """A submission whose stored values the gate masked (no values, only where and how many)."""

    submission_id: str | None
    kode_bapas: str | None
    period: str | None
    columns: tuple[str, ...]
    rows: int

    def as_json(self) -> dict[str, object]:
        """Shape of the asset check's `isolated` metadata."""
        return {
            "submission_id": self.submission_id,
            "kode_bapas": self.kode_bapas,
            "periode": self.period,
            "columns": list(self.columns),
            "rows": self.rows,
        }


@dataclass(frozen=True)
class GateResult:
    """What the gate isolated, the findings it emitted, and what still blocks dbt."""

    isolated: tuple[IsolatedSubmission, ...]
    findings: int
    problems: tuple[str, ...]
    scanned: int = 0  # submissions whose raw rows this run scanned
    full_scan: bool = False  # the whole raw layer, not only submissions not scanned yet

    @property
    def passed(self) -> bool:
        """True when nothing is left that masking cannot isolate."""
        return not self.problems


def run_raw_integrity_gate(
    settings: Settings, now: dt.datetime | None = None, *, full: bool = False
) -> GateResult:
    """Isolate stored long digit runs (mask, audit, finding), then report what still blocks.

    Scans the submissions not scanned yet, or everything when `full` or a full pass is due.
    """
    if not settings.warehouse_path.exists():
        return GateResult((), 0, ())
    moment = now or utc_now()
    key = resolve_pseudonym_key(purpose="the raw-integrity gate (`lipas check`, nightly)")
    con = open_duckdb(str(settings.warehouse_path))
    try:
        ensure_ledger_tables(con)
        con.execute("begin transaction")
        try:
            digest = columns_digest()
            full = full or full_scan_due(con, moment, digest)
            scanned = select_scope(con, full)
            masked = mask_stored_long_runs(con, settings, key, None if full else SCOPE_TABLE)
            isolated, findings = _isolate(con, masked, moment)
            con.execute(
                "insert or replace into ledger.raw_scans"
                f" select submission_id, ?, ?, ? from {SCOPE_TABLE}",
                [moment, full, digest],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        # Columns without a hit were just scanned in this snapshot: verify only what was masked.
        verify = {(m.table_name, m.column_name) for m in masked}
        problems = _problems(con, verify, None if full else SCOPE_TABLE)
    finally:
        con.close()
    logger.info(
        "raw integrity: %s pass, %d submissions scanned, %d masked, %d problems",
        "full" if full else "new-submission",
        scanned,
        len(isolated),
        len(problems),
    )
    for item in isolated:
        logger.warning("raw integrity: masked %s", item.as_json())
    return GateResult(tuple(isolated), findings, tuple(problems), scanned, full)


def check_raw_integrity(settings: Settings) -> list[str]:
    """Problems found, read-only (empty when the raw layer is sound); no warehouse is fine."""
    if not settings.warehouse_path.exists():
        return []
    con = open_duckdb(str(settings.warehouse_path), read_only=True)
    try:
        return _problems(con)
    finally:
        con.close()


def _isolate(
    con: duckdb.DuckDBPyConnection, masked: list[MaskedColumn], now: dt.datetime
) -> tuple[list[IsolatedSubmission], int]:
    if not masked:
        return [], 0
    record_redactions(
        con,
        [(m.submission_id, m.table_name, m.column_name, m.rows_affected) for m in masked],
        "mask",
        GATE_REASON,
        GATE_ACTOR,
        now,
    )
    issues = _row_issues(masked)
    for sid, sid_issues in issues.items():
        insert_row_issues(con, sid, sid_issues)
    ids = sorted({m.submission_id for m in masked if m.submission_id})
    ledger_rows = con.execute(
        "select submission_id, kode_bapas, periode, report_kind, is_current"
        " from ledger.submissions where list_contains(?, submission_id)",
        [ids],
    ).fetchall()
    known = {r[0]: r[1:] for r in ledger_rows}
    drafts = [
        draft
        for sid, sid_issues in issues.items()
        if sid in known and known[sid][3]
        for draft in _drafts(sid, known[sid][:3], sid_issues)
    ]
    if drafts:
        ensure_quality_tables(con)
        kanwil_of = {b.kode_bapas: b.kode_kanwil for b in load_bapas()}
        reconcile(con, drafts, now, kanwil_of, resolve_stale=False)
    by_sid: dict[str | None, list[MaskedColumn]] = defaultdict(list)
    for m in masked:
        by_sid[m.submission_id].append(m)
    isolated = [
        IsolatedSubmission(
            sid,
            known.get(sid or "", (None, None))[0],
            known.get(sid or "", (None, None))[1],
            tuple(sorted({f"{m.table_name}.{m.column_name}" for m in items})),
            sum(m.rows_affected for m in items),
        )
        for sid, items in by_sid.items()
    ]
    return isolated, len(drafts)


def _row_issues(masked: list[MaskedColumn]) -> dict[str, list[RowIssue]]:
    """The row issues ingestion would have written, so the clerk learns the cause either way.

    A file name is one issue per submission (on IDENTITAS when its rows were masked), not one
    per row of every sheet.
    """
    sheets = {f"{RAW_SCHEMA}.{t}": s.name for t, (_k, s) in raw_tables(load_contract()).items()}
    out: dict[str, list[RowIssue]] = defaultdict(list)
    file_names: dict[str, tuple[str, MaskedColumn]] = {}
    for m in masked:
        sheet = sheets.get(m.table_name)
        if sheet is None or m.submission_id is None or not m.rows:
            continue
        if m.column_name == "_source_file":
            if m.submission_id not in file_names or sheet == "IDENTITAS":
                file_names[m.submission_id] = (sheet, m)
            continue
        msg_id, msg_en = long_number_messages(m.column_name, m.digits)
        out[m.submission_id].extend(
            RowIssue(sheet, row, m.column_name, value[:60], LONG_NUMBER_CODE, msg_id, msg_en)
            for row, value in m.rows
        )
    for sid, (sheet, m) in file_names.items():
        row, value = m.rows[0]
        msg_id, msg_en = long_number_messages(FILE_NAME_COLUMN, m.digits)
        out[sid].append(
            RowIssue(sheet, row, FILE_NAME_COLUMN, value[:60], FILE_NAME_CODE, msg_id, msg_en)
        )
    return out


def _drafts(sid: str, identity: tuple[str, str, str], issues: list[RowIssue]) -> list[FindingDraft]:
    """The same drafts quality.parse_issues.parse_issue_findings makes from these row issues.

    Same rule, subject and params give the same finding id: the nightly check run takes the
    finding over, and resolves it once a clean version is current.
    """
    kode_bapas, period, kind = identity
    grouped: dict[tuple[str, str, str], list[RowIssue]] = defaultdict(list)
    for issue in sorted(issues, key=lambda i: i.row_number):
        grouped[(issue.sheet, issue.column_name, issue.issue_code)].append(issue)
    return [
        FindingDraft(
            rule=rule(ISSUE_RULES[code]),
            kode_bapas=kode_bapas,
            period=period,
            subject=f"{sheet}/{column}/{code}",
            report_kind=kind,
            submission_id=sid,
            affected_rows=len(hits),
            samples=tuple(
                SampleRow(sheet, h.row_number, column, display_value(h.value))
                for h in hits[:MAX_SAMPLE_ROWS]
            ),
            params={
                "sheet": sheet,
                "column": column,
                "issue_code": code,
                "detail_id": hits[0].message_id,
                "detail_en": hits[0].message_en,
            },
        )
        for (sheet, column, code), hits in grouped.items()
    ]


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {(str(s), str(t)) for s, t in rows}


def _problems(
    con: duckdb.DuckDBPyConnection,
    verify: set[tuple[str, str]] | None = None,
    scope: str | None = None,
) -> list[str]:
    """Broken-load problems; long runs in every scanned column, or only in `verify`.

    With `scope` (a table of submission ids) only those submissions' rows are examined: rows
    are loaded twice, or keep a digit run, only by the load that wrote them.
    """
    problems: list[str] = []
    existing = _tables(con)
    if ("ledger", "submissions") in existing:
        dupes = con.execute(
            "select report_kind, kode_bapas, periode, count(*) from ledger.submissions "
            "where is_current group by all having count(*) > 1"
        ).fetchall()
        problems += [f"{k} {b} {p}: {n} current versions" for k, b, p, n in dupes]
    for table, columns in scanned_raw_columns().items():
        if (RAW_SCHEMA, table) not in existing:
            continue
        # Identifiers come from the contract, never from data.
        dup = con.execute(
            f"select count(*) from (select submission_id, _row_number from {RAW_SCHEMA}.{table} "
            f"where {scope_filter(scope)} group by all having count(*) > 1)"
        ).fetchone()
        if dup and dup[0]:
            problems.append(f"raw.{table}: {dup[0]} rows loaded more than once")
        for col in columns:
            if verify is not None and (f"{RAW_SCHEMA}.{table}", col) not in verify:
                continue
            hit = con.execute(
                f"select count(*) from {RAW_SCHEMA}.{table}"
                f" where {scope_filter(scope)} and {long_run_filter(col)}",
                [LONG_RUN_PATTERN],
            ).fetchone()
            if hit and hit[0]:
                problems.append(f"raw.{table}.{col}: {hit[0]} values with 12+ digit runs (NIK?)")
    return problems

"""Read the quality and ledger tables the alerts need: the one place that knows their columns."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from core.period import Period, previous_month, window_months
from ingestion.quarantine import find_quarantine
from quality.alerts.identity import infer_owner
from quality.alerts.model import (
    AlertInputs,
    Finding,
    Rejection,
    RunFailure,
    SampleRow,
    Score,
    StatusRow,
    Undelivered,
)

logger = logging.getLogger(__name__)

# The register is rewritten per period, so rows of older periods keep an older as_of_date: take
# the newest row at or before our as_of for every owed report, not one global snapshot.
_STATUS_SQL = """
select kode_bapas, kode_kanwil, report_kind, periode, deadline, received, first_received_at,
       accepted, on_time, status, days_overdue, possibly_inactive,
       counts_as_expected, counts_as_reported, counts_as_on_time
from quality.submission_status
where coalesce(as_of_date, ?) <= ?
qualify row_number() over (
    partition by kode_bapas, report_kind, periode order by as_of_date desc nulls last
) = 1
order by kode_kanwil, kode_bapas, report_kind, periode
"""

_FINDINGS_SQL = """
select finding_id, rule_id, rule_family, severity, report_kind, kode_bapas, kode_kanwil, periode,
       affected_rows, sample_rows, message_id, hint_id, message_en, hint_en, first_seen,
       resolved_at, status
from quality.findings
where status in ('open', 'acknowledged')
   or (status = 'resolved' and resolved_at >= ?)
order by kode_kanwil, kode_bapas, periode, severity, rule_id, finding_id
"""

_REJECTIONS_SQL = """
select submission_id, original_name, report_kind, kode_bapas, periode, received_at,
       error_code, error_summary, coalesce(original_path, ''), status
from ledger.submissions
where status in ('rejected', 'held') and coalesce(ingested_at, received_at) >= ?
  and cast(received_at + interval 7 hour as date) <= ?
order by kode_bapas, periode, received_at, submission_id
"""

_VERSI_SQL = """
select kode_bapas, periode, max(coalesce(versi, 1))
from ledger.submissions
where kode_bapas is not null and periode is not null
group by kode_bapas, periode
"""

_SCORES_SQL = """
select kode_bapas, periode, quality_score
from quality.submission_scores
where report_kind = 'monthly' and periode in (?, ?) and quality_score is not null
qualify row_number() over (partition by kode_bapas, periode order by computed_at desc) = 1
order by kode_bapas, periode
"""

_UNDELIVERED_SQL = """
select message_key, audience, subject, attempts, coalesce(last_error, '')
from quality.outbox
where status = 'pending' and attempts > 0
order by created_at, message_key
"""


_DELIVERED_SQL = """
select distinct audience
from quality.outbox
where kind = ? and status = 'sent' and starts_with(message_key, ?)
"""


def delivered_today(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, kind: str = "fixlist"
) -> frozenset[str]:
    """Bapas codes whose `kind` message of this digest date was actually delivered.

    The digest says "daftar perbaikan sudah dikirim" from this delivery result (issue 13), not
    from having written or queued the fix-list.
    """
    rows = _rows(con, "quality", "outbox", _DELIVERED_SQL, [kind, f"{as_of.isoformat()}/"])
    return frozenset(str(r[0]).removeprefix("bapas:") for r in rows)


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """True when `schema.table` exists; the quality layer may not have run yet."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def _rows(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, sql: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    if not table_exists(con, schema, table):
        if table != "outbox":  # ours, created on the first --send run
            logger.warning("%s.%s does not exist yet; the summary will say so", schema, table)
        return []
    return con.execute(sql, params).fetchall()


def parse_sample_rows(raw: object) -> tuple[SampleRow, ...]:
    """Decode the JSON `sample_rows` column; tolerate NULL and partial keys."""
    if raw is None or raw == "":
        return ()
    items = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list):
        return ()
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        row = item.get("row", item.get("row_number"))
        out.append(
            SampleRow(
                sheet=str(item.get("sheet") or ""),
                row=int(row) if row is not None and str(row).strip().isdigit() else None,
                column=str(item.get("column") or item.get("column_name") or ""),
                value="" if item.get("value") is None else str(item.get("value")),
                message=str(item.get("message_id") or item.get("message") or ""),
            )
        )
    return tuple(out)


def read_quarantine_report(quarantine_dir: Path, submission_id: str) -> dict[str, Any]:
    """A submission's report.json (ingestion/quarantine.py lays them out), or {} if unreadable.

    Its layout belongs to ingestion: one flat object with error_code, message_id/_en,
    hint_id/_en, sheet, row, column, value. Unknown layouts degrade to the ledger summary.
    """
    folder = find_quarantine(quarantine_dir, submission_id)
    path = folder / "report.json" if folder else quarantine_dir / submission_id / "report.json"
    if not path.is_file():
        return {}
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        logger.warning("cannot read %s; the fix-list shows the ledger summary only", path)
        return {}
    return report if isinstance(report, dict) else {}


def _rejection(row: tuple[Any, ...], quarantine_dir: Path) -> Rejection:
    report = read_quarantine_report(quarantine_dir, row[0])
    cells = parse_sample_rows([report]) if report.get("sheet") or report.get("column") else ()
    return Rejection(
        submission_id=row[0],
        original_name=row[1] or "",
        report_kind=row[2],
        kode_bapas=row[3],
        period=row[4],
        received_at=_as_datetime(row[5]),
        error_code=row[6] or str(report.get("error_code") or "unknown"),
        error_summary=row[7] or "",
        message_id=str(report.get("message_id") or ""),
        message_en=str(report.get("message_en") or ""),
        hint_id=str(report.get("hint_id") or ""),
        hint_en=str(report.get("hint_en") or ""),
        details=tuple(replace(c, message="") for c in cells),
        held=row[9] == "held",
        detail=str(report.get("detail") or ""),
    )


def _held_elsewhere(rejection: Rejection, quarantine_dir: Path) -> tuple[Rejection, ...]:
    """A held file whose path names another Bapas or period is listed for that one too.

    Ingestion writes the path's identity into the held file's report.json; both offices (and
    the digest under both) must see the file, so neither wonders where its report went.
    """
    if not rejection.held:
        return ()
    report = read_quarantine_report(quarantine_dir, rejection.submission_id)
    bapas = str(report.get("path_kode_bapas") or rejection.kode_bapas or "")
    period = str(report.get("path_periode") or rejection.period or "")
    if (bapas, period) == (rejection.kode_bapas, rejection.period) or not bapas:
        return ()
    return (replace(rejection, kode_bapas=bapas, period=period or None),)


def _reconcile(row: StatusRow, as_of: dt.date) -> StatusRow:
    """Age a register row computed on an earlier night to today (deadline passed, days grew).

    The one place the digest touches an indicator column: a report not yet due when the
    register was written and past its deadline today is expected now (the register would say
    so if it were rebuilt today; `lipas check` does). Nothing becomes reported here.
    """
    status = row.status
    if status == "not_yet_due" and not row.received and row.deadline < as_of:
        status = "missing"
    if status != "missing":
        return row
    return replace(
        row,
        status=status,
        days_overdue=max(row.days_overdue or 0, (as_of - row.deadline).days),
        counts_as_expected=True,
    )


def _as_datetime(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


RUN_FAILURE_LOG = "run_failures.jsonl"
RUN_FAILURE_DAYS = 2


def read_run_failures(reports_dir: Path, as_of: dt.date) -> tuple[RunFailure, ...]:
    """Failed runs of the last RUN_FAILURE_DAYS days from the sensor's JSONL log.

    The nightly run may fail before it reaches the alerts; the next digest still says so.
    """
    path = reports_dir / RUN_FAILURE_LOG
    if not path.is_file():
        return ()
    since = (as_of - dt.timedelta(days=RUN_FAILURE_DAYS)).isoformat()
    until = (as_of + dt.timedelta(days=1)).isoformat()
    out = []
    seen: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            logger.warning("skipping a malformed line in %s", path)
            continue
        failed_at = str(entry.get("failed_at", ""))
        # A run recorded twice (a log written before appends were locked) is reported once.
        run_id = str(entry.get("run_id", ""))
        if run_id and run_id in seen:
            continue
        seen.add(run_id)
        if since <= failed_at[:10] < until:
            out.append(
                RunFailure(
                    run_id=str(entry.get("run_id", "")),
                    job=str(entry.get("job", "")),
                    message=str(entry.get("message", ""))[:300],
                    failed_at=failed_at,
                )
            )
    return tuple(out)


def load_inputs(
    con: duckdb.DuckDBPyConnection,
    period: str,
    as_of: dt.date,
    quarantine_dir: Path,
    reports_dir: Path | None = None,
    known_bapas: Collection[str] = (),
) -> AlertInputs:
    """Read status, findings, rejections, scores and delivery failures for one report."""
    months = window_months(period)
    window_start = dt.datetime.combine(Period.parse(months[0]).start, dt.time())
    status = tuple(
        StatusRow(
            kode_bapas=r[0],
            kode_kanwil=r[1],
            report_kind=r[2],
            period=r[3],
            deadline=r[4],
            received=bool(r[5]),
            first_received_at=_as_datetime(r[6]),
            accepted=bool(r[7]),
            on_time=bool(r[8]),
            status=r[9],
            days_overdue=r[10],
            possibly_inactive=bool(r[11]),
            counts_as_expected=bool(r[12]),
            counts_as_reported=bool(r[13]),
            counts_as_on_time=bool(r[14]),
        )
        for r in _rows(con, "quality", "submission_status", _STATUS_SQL, [as_of, as_of])
    )
    findings = tuple(
        Finding(
            finding_id=r[0],
            rule_id=r[1],
            rule_family=r[2] or "",
            severity=r[3],
            report_kind=r[4] or "",
            kode_bapas=r[5] or "",
            kode_kanwil=r[6] or "",
            period=r[7] or "",
            affected_rows=int(r[8] or 0),
            sample_rows=parse_sample_rows(r[9]),
            message_id=r[10] or "",
            hint_id=r[11] or "",
            message_en=r[12] or "",
            hint_en=r[13] or "",
            first_seen=_as_datetime(r[14]),
            resolved_at=_as_datetime(r[15]),
            status=r[16],
        )
        for r in _rows(con, "quality", "findings", _FINDINGS_SQL, [window_start])
    )
    read = [
        infer_owner(_rejection(r, quarantine_dir), r[8], known_bapas)
        for r in _rows(con, "ledger", "submissions", _REJECTIONS_SQL, [window_start, as_of])
    ]
    rejections = tuple(x for r in read for x in (r, *_held_elsewhere(r, quarantine_dir)))
    scores = tuple(
        Score(kode_bapas=r[0], period=r[1], quality_score=float(r[2]))
        for r in _rows(
            con, "quality", "submission_scores", _SCORES_SQL, [previous_month(period), period]
        )
    )
    undelivered = tuple(
        Undelivered(message_key=r[0], audience=r[1], subject=r[2], attempts=r[3], last_error=r[4])
        for r in _rows(con, "quality", "outbox", _UNDELIVERED_SQL, [])
    )
    return AlertInputs(
        as_of=as_of,
        period=period,
        months=months,
        status=tuple(_reconcile(s, as_of) for s in status if _in_window(s.period, months)),
        findings=findings,
        rejections=rejections,
        scores=scores,
        undelivered=undelivered,
        quality_available=table_exists(con, "quality", "submission_status"),
        run_failures=read_run_failures(reports_dir, as_of) if reports_dir else (),
        versi=_highest_versi(con),
    )


def _highest_versi(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """Highest `versi` per Bapas-period; {} for a ledger older than the `versi` column."""
    has_versi = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = 'ledger' and table_name = 'submissions' and column_name = 'versi'"
    ).fetchone()
    if not has_versi or not has_versi[0]:
        return {}
    return {(str(r[0]), str(r[1])): int(r[2]) for r in con.execute(_VERSI_SQL).fetchall()}


def _in_window(period: str, months: tuple[str, ...]) -> bool:
    """Monthly periods inside the window, and annual periods of the window's years."""
    if len(period) == 4:
        return any(m.startswith(period) for m in months)
    return period in months

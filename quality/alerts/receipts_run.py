"""Write and mail the receipts of newly ingested files (the on-arrival job's last step).

Reads ledger.submissions, ledger.row_issues and the quarantine reports, builds one `Receipt`
per file not yet receipted, writes it under LIPAS_HOME/reports/receipts/<KODE>/ and queues it
for the Bapas's address (recipients role `bapas:<KODE>`) through quality.outbox, so a failed
delivery is retried by the next run like every other message. Idempotent: a file whose
receipt JSON exists is skipped, and the outbox never re-sends a message key already sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from core.duckdb_connect import open_duckdb
from core.period import utc_now
from core.settings import Settings
from quality.alerts.compose import compose_message
from quality.alerts.config import MailConfig, load_mail_config
from quality.alerts.delivery import deliver_pending
from quality.alerts.directory import load_directory
from quality.alerts.loader import read_quarantine_report, table_exists
from quality.alerts.receipt import Receipt, ReceiptLine, render_receipt
from quality.alerts.recipients import load_recipients
from quality.alerts.run import write_atomic
from quality.alerts.state import enqueue, ensure_alert_tables

logger = logging.getLogger(__name__)

RECEIPTS_DIR = "receipts"
# Files ingested longer ago get no receipt: the first run after deployment must not mail
# every Bapas its whole history.
RECEIPT_WINDOW = dt.timedelta(days=2)
_OUTCOME = {"accepted": "accepted", "superseded": "accepted", "rejected": "rejected"}
_OUTCOME |= {"held": "held", "duplicate": "duplicate"}

_SUBMISSIONS_SQL = """
select submission_id, coalesce(sha256, ''), coalesce(original_name, ''), received_at,
       report_kind, kode_bapas, periode, status, version
from ledger.submissions
where coalesce(ingested_at, received_at) >= ?
order by received_at, submission_id
"""
_PREVIOUS_SQL = """
select submission_id, received_at from ledger.submissions
where report_kind = ? and kode_bapas = ? and periode = ? and version = ?
limit 1
"""
_ISSUES_SQL = """
select sheet, row_number, column_name, value, issue_code, coalesce(message_id, '')
from ledger.row_issues where submission_id = ?
"""


@dataclass(frozen=True)
class ReceiptRun:
    """What one receipts pass did (Dagster metadata, tests, the latency figure)."""

    written: tuple[Path, ...]
    queued: int
    sent: int
    pending: int


def receipt_folder(settings: Settings, kode_bapas: str | None) -> Path:
    """reports/receipts/<KODE or _tanpa_kode>/."""
    return settings.reports_dir / RECEIPTS_DIR / (kode_bapas or "_tanpa_kode")


def _deadline(period: str | None) -> dt.date | None:
    from core.contract.template import TemplateError, resolve_target

    if not period:
        return None
    try:
        return resolve_target(period).deadline
    except TemplateError:
        return None


def _lines(con: duckdb.DuckDBPyConnection, kind: str | None, sid: str) -> tuple[ReceiptLine, ...]:
    """Cells this file's own checks flagged, with the value as typed and what to type."""
    from core.contract.model import load_contract
    from quality.catalogue import rule
    from quality.parse_issues import ISSUE_RULES
    from quality.redaction import display_value
    from quality.validity_specs import accepted_values

    if not table_exists(con, "ledger", "row_issues"):
        return ()
    sheets = {}
    if kind:
        try:
            sheets = {s.name: s for s in load_contract().kind(kind).sheets}
        except KeyError:
            sheets = {}
    out = []
    for sheet, row, column, value, code, message in con.execute(_ISSUES_SQL, [sid]).fetchall():
        spec = sheets.get(sheet)
        col = next((c for c in spec.columns if c.name == column), None) if spec else None
        hidden = col is not None and col.pii != "none"
        fix = accepted_values(col)[0] if col is not None else ""
        out.append(
            ReceiptLine(
                severity=rule(ISSUE_RULES.get(str(code), "VAL_PARSE")).severity,
                sheet=str(sheet),
                row=int(row) if row is not None else None,
                column=str(column),
                value="(disembunyikan)" if hidden else (display_value(value) or ""),
                problem=_problem(str(code), str(message)),
                fix=f"isi dengan {fix}" if fix else "lihat petunjuk di formulir",
            )
        )
    return tuple(out)


def _problem(code: str, message: str) -> str:
    """The clerk's sentence: ingestion's own words name its parser ("sebagai yn", NULL)."""
    if code.startswith("invalid_"):
        return "Isian ini tidak dapat dibaca untuk kolom ini, sehingga dianggap kosong."
    return message


def _issue_keys(con: duckdb.DuckDBPyConnection, sid: str) -> set[tuple[Any, ...]]:
    if not table_exists(con, "ledger", "row_issues"):
        return set()
    return {tuple(r) for r in con.execute(_ISSUES_SQL, [sid]).fetchall()}


def build_receipt(
    con: duckdb.DuckDBPyConnection, settings: Settings, row: tuple[Any, ...], names: dict[str, str]
) -> Receipt | None:
    """The receipt of one ledger row (None for rows that get none, e.g. reprocessed)."""
    sid, sha, name, received_at, kind, kode, period, status, version = row
    outcome = _OUTCOME.get(str(status))
    if outcome is None:
        return None
    problem = hint = ""
    if outcome in ("rejected", "held"):
        report = read_quarantine_report(settings.quarantine_dir, sid)
        problem, hint = str(report.get("message_id") or ""), str(report.get("hint_id") or "")
    replaces = replaces_at = None
    resolved = 0
    if outcome == "accepted" and version and int(version) > 1:
        previous = con.execute(_PREVIOUS_SQL, [kind, kode, period, int(version) - 1]).fetchone()
        if previous:
            replaces, replaces_at = int(version) - 1, previous[1]
            resolved = len(_issue_keys(con, previous[0]) - _issue_keys(con, sid))
    return Receipt(
        submission_id=sid,
        original_name=name,
        sha256=sha,
        received_at=received_at,
        kode_bapas=kode,
        nama_bapas=names.get(kode or "", kode or ""),
        period=period,
        outcome=outcome,
        deadline=_deadline(period),
        version=int(version) if version is not None else None,
        replaces_version=replaces,
        replaces_received_at=replaces_at,
        resolved_count=resolved,
        problem=problem,
        hint=hint,
        lines=_lines(con, kind, sid) if outcome == "accepted" else (),
    )


def send_receipts(
    settings: Settings,
    *,
    mail_config: MailConfig | None = None,
    now: dt.datetime | None = None,
    deliver: bool = True,
) -> ReceiptRun:
    """Receipts for every recently ingested file that has none yet; queued and delivered."""
    config = mail_config or load_mail_config()
    recipients = load_recipients(config.recipients_path)
    now = now or utc_now()
    if not settings.warehouse_path.is_file():
        return ReceiptRun((), 0, 0, 0)
    names = dict(load_directory().bapas)
    written: list[Path] = []
    queued = 0
    con = open_duckdb(str(settings.warehouse_path))
    try:
        if not table_exists(con, "ledger", "submissions"):
            return ReceiptRun((), 0, 0, 0)
        ensure_alert_tables(con)
        for row in con.execute(_SUBMISSIONS_SQL, [now - RECEIPT_WINDOW]).fetchall():
            folder = receipt_folder(settings, row[5])
            if (folder / f"{row[0]}.json").is_file():
                continue
            receipt = build_receipt(con, settings, row, names)
            if receipt is None:
                continue
            rendered = render_receipt(receipt, "id")
            written += [
                write_atomic(folder / f"{receipt.submission_id}.md", rendered.markdown),
                write_atomic(folder / f"{receipt.submission_id}.html", rendered.html),
            ]
            audience = f"bapas:{receipt.kode_bapas}" if receipt.kode_bapas else ""
            addresses = recipients.for_audience(audience) if audience else ()
            if addresses:
                message = compose_message(rendered, sender=config.sender, recipients=addresses)
                eml = write_atomic(folder / f"{receipt.submission_id}.eml", message.as_bytes())
                queued += enqueue(
                    con,
                    message_key=f"receipt/{receipt.submission_id}",
                    audience=audience,
                    kind="receipt",
                    recipients=addresses,
                    subject=rendered.subject,
                    message=message.as_bytes(),
                    eml_path=str(eml),
                )
            # Written last: its presence means "done", so a crash before it redoes the receipt.
            written.append(write_atomic(folder / f"{receipt.submission_id}.json", rendered.json))
        sent = pending = 0
        if deliver and queued:
            report = deliver_pending(con, config)
            sent, pending = report.sent, report.pending
        return ReceiptRun(tuple(written), queued, sent, pending)
    finally:
        con.close()

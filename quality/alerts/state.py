"""Alert state: quality.alert_log (who was told what, and when) and quality.outbox."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from core.period import utc_now
from quality.alerts.model import AlertHistory, LogEntry

_DDL = (
    "create schema if not exists quality",
    """
    create table if not exists quality.alert_log (
        finding_id varchar not null,   -- a finding_id, or a notice key such as reminder|BP1101|...
        audience varchar not null,     -- ditjen | kanwil:<KODE> | bapas:<KODE>
        kind varchar not null,         -- new|persisting|resolved|reminder|overdue|rejected
        digest_date date not null,
        logged_at timestamp not null
    )
    """,
    """
    create table if not exists quality.outbox (
        message_key varchar primary key,  -- <digest date>/<audience>/<kind>
        created_at timestamp not null,
        audience varchar not null,
        kind varchar not null,
        recipients varchar not null,      -- JSON list of addresses
        subject varchar not null,
        eml_path varchar,                 -- copy on disk under LIPAS_HOME/reports/<date>/mail/
        message blob not null,            -- the exact RFC 5322 bytes, re-sent as is
        status varchar not null,          -- pending | sent
        attempts integer not null,
        last_error varchar,
        last_attempt_at timestamp,
        sent_at timestamp
    )
    """,
)


@dataclass(frozen=True)
class OutboxMessage:
    """One queued message as stored in quality.outbox."""

    message_key: str
    audience: str
    kind: str
    recipients: tuple[str, ...]
    subject: str
    message: bytes
    attempts: int


def ensure_alert_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create quality.alert_log and quality.outbox when missing (idempotent)."""
    for statement in _DDL:
        con.execute(statement)


def load_history(con: duckdb.DuckDBPyConnection, digest_date: dt.date) -> AlertHistory:
    """Announcements made by earlier digests; today's rows are excluded so re-runs are stable."""
    rows = con.execute(
        # Persisting rows only record what a digest listed; announce-once needs the rest.
        "select distinct audience, finding_id, kind from quality.alert_log "
        "where digest_date < ? and kind <> 'persisting'",
        [digest_date],
    ).fetchall()
    return AlertHistory(announced=frozenset((r[0], r[1], r[2]) for r in rows))


def record_log(
    con: duckdb.DuckDBPyConnection, digest_date: dt.date, entries: Iterable[LogEntry]
) -> int:
    """Replace today's alert_log rows with `entries`; returns how many were written."""
    rows = sorted({(e.finding_id, e.audience, e.kind) for e in entries})
    now = utc_now()
    con.execute("begin transaction")
    try:
        con.execute("delete from quality.alert_log where digest_date = ?", [digest_date])
        if rows:
            con.executemany(
                "insert into quality.alert_log values (?, ?, ?, ?, ?)",
                [[f, a, k, digest_date, now] for f, a, k in rows],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(rows)


def enqueue(
    con: duckdb.DuckDBPyConnection,
    *,
    message_key: str,
    audience: str,
    kind: str,
    recipients: tuple[str, ...],
    subject: str,
    message: bytes,
    eml_path: str,
) -> bool:
    """Queue a message; a re-run replaces a pending one but never re-sends one already sent."""
    row = con.execute(
        "select status from quality.outbox where message_key = ?", [message_key]
    ).fetchone()
    if row is not None and row[0] == "sent":
        return False
    now = utc_now()
    con.execute("delete from quality.outbox where message_key = ?", [message_key])
    con.execute(
        "insert into quality.outbox values "
        "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, null, null, null)",
        [
            message_key,
            now,
            audience,
            kind,
            json.dumps(list(recipients)),
            subject,
            eml_path,
            message,
        ],
    )
    return True


def pending_messages(con: duckdb.DuckDBPyConnection) -> list[OutboxMessage]:
    """Every message not yet delivered, oldest first (earlier runs' failures included)."""
    rows = con.execute(
        "select message_key, audience, kind, recipients, subject, message, attempts "
        "from quality.outbox where status = 'pending' order by created_at, message_key"
    ).fetchall()
    return [
        OutboxMessage(
            message_key=r[0],
            audience=r[1],
            kind=r[2],
            recipients=tuple(json.loads(r[3])),
            subject=r[4],
            message=bytes(r[5]),
            attempts=int(r[6]),
        )
        for r in rows
    ]


def mark_attempt(
    con: duckdb.DuckDBPyConnection, message_key: str, *, attempts: int, error: str | None
) -> None:
    """Record the outcome of a delivery: sent, or still pending with the last error."""
    now = utc_now()
    if error is None:
        con.execute(
            "update quality.outbox set status = 'sent', attempts = attempts + ?, "
            "last_attempt_at = ?, sent_at = ?, last_error = null where message_key = ?",
            [attempts, now, now, message_key],
        )
    else:
        con.execute(
            "update quality.outbox set attempts = attempts + ?, last_attempt_at = ?, "
            "last_error = ? where message_key = ?",
            [attempts, now, error[:500], message_key],
        )


def prune_sent(con: duckdb.DuckDBPyConnection, keep_days: int = 90) -> int:
    """Drop delivered messages older than `keep_days` (their .eml copies stay on disk)."""
    cutoff = utc_now() - dt.timedelta(days=keep_days)
    row = con.execute(
        "select count(*) from quality.outbox where status = 'sent' and sent_at < ?", [cutoff]
    ).fetchone()
    con.execute("delete from quality.outbox where status = 'sent' and sent_at < ?", [cutoff])
    return int(row[0]) if row else 0

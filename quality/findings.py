"""The findings store: stable ids, first/last seen, resolution on re-check, triage, history."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from core.duckdb_connect import insert_rows
from core.period import utc_now
from core.redact import scrub
from quality.model import FindingDraft

logger = logging.getLogger(__name__)


class UnknownFindingError(KeyError):
    """A triage call named a finding id that is not in quality.findings."""


@dataclass(frozen=True)
class ReconcileResult:
    """What one run changed in quality.findings."""

    opened: int
    reopened: int
    persisting: int
    resolved: int


def _event(
    con: duckdb.DuckDBPyConnection,
    finding_id: str,
    now: dt.datetime,
    event: str,
    status: str,
    comment: str | None = None,
    submission_id: str | None = None,
    affected_rows: int | None = None,
) -> None:
    con.execute(
        "insert into quality.finding_events values (?, ?, ?, ?, ?, ?, ?)",
        [finding_id, now, event, status, comment, submission_id, affected_rows],
    )


_UPDATED = (
    "rule_id", "rule_family", "severity", "report_kind", "kode_bapas", "kode_kanwil", "periode",
    "submission_id", "affected_rows", "sample_rows", "message_id", "hint_id", "message_en",
    "hint_en", "last_seen",
)  # fmt: skip


def _update_seen(con: duckdb.DuckDBPyConnection, updates: list[list[object]]) -> None:
    """Refresh findings seen again (values, then finding_id, per row) in one UPDATE.

    One UPDATE per finding cost ~2 ms each: 4 s a night for the ~2,000 findings of a national
    judging window (issue 16). The rows go to a temp table of the same column types first.
    """
    columns = ", ".join(_UPDATED)
    con.execute(
        f"create or replace temp table q_updates as select {columns}, finding_id"
        " from quality.findings limit 0"
    )
    insert_rows(con, "q_updates", [*_UPDATED, "finding_id"], updates)
    assignments = ", ".join(f"{c} = u.{c}" for c in _UPDATED)
    con.execute(
        f"update quality.findings as f set {assignments},"
        " status = case when f.status = 'resolved' then 'open' else f.status end,"
        " resolved_at = null from q_updates as u where f.finding_id = u.finding_id"
    )


def reconcile(
    con: duckdb.DuckDBPyConnection,
    drafts: Iterable[FindingDraft],
    now: dt.datetime,
    kanwil_of: dict[str, str],
    not_evaluated: frozenset[str] = frozenset(),
    *,
    resolve_stale: bool = True,
) -> ReconcileResult:
    """Upsert this run's findings and resolve the open ones in scope that no longer fire.

    Scope is the q_scope temp table (months and plan years checked) plus findings without a
    period (rejected files nobody could date), so a run over one month never resolves another
    month's findings. Rules in `not_evaluated` (skipped this run, e.g. GX with --no-gx) keep
    their status. Writes are batched: a national month can carry thousands of findings.
    `resolve_stale=False` only opens/updates (the raw-integrity gate emits its own findings
    before the full check run, which alone may resolve).
    """
    by_id: dict[str, FindingDraft] = {}
    for draft in drafts:
        by_id.setdefault(draft.finding_id, draft)
    existing = dict(con.execute("select finding_id, status from quality.findings").fetchall())
    inserts: list[list[object]] = []
    updates: list[list[object]] = []
    events: list[list[object]] = []
    reopened = 0
    for fid, d in by_id.items():
        # Last line of defence: no rule may store a long digit run (a NIK typed into a number
        # column ends up in a message's {value} or a sample) in the findings table.
        msg_id, hint_id, msg_en, hint_en = (scrub(text) for text in d.render())
        values = [
            d.rule.rule_id, d.rule.family, d.rule.severity, d.report_kind, d.kode_bapas,
            kanwil_of.get(d.kode_bapas or ""), d.period, d.submission_id, d.affected_rows,
            scrub(d.sample_json()), msg_id, hint_id, msg_en, hint_en,
        ]  # fmt: skip
        tail = ["open", None, d.submission_id, d.affected_rows]
        if fid not in existing:
            inserts.append([fid, *values, now, now])
            events.append([fid, now, "opened", *tail])
            continue
        updates.append([*values, now, fid])
        if existing[fid] == "resolved":
            events.append([fid, now, "reopened", *tail])
            reopened += 1
    insert_rows(
        con,
        "quality.findings",
        ["finding_id", *_UPDATED[:-1], "first_seen", "last_seen"],
        inserts,
        literals="null, 'open', null, false",
    )
    if updates:
        _update_seen(con, updates)
    con.execute("create or replace temp table q_seen (finding_id varchar)")
    insert_rows(con, "q_seen", ["finding_id"], [[fid] for fid in by_id])
    stale = (
        con.execute(
            "select finding_id, submission_id from quality.findings"
            " where status <> 'resolved' and finding_id not in (select finding_id from q_seen)"
            " and (periode is null or periode in (select periode from q_scope))"
            " and not list_contains(?, rule_id)",
            [sorted(not_evaluated)],
        ).fetchall()
        if resolve_stale
        else []
    )
    if stale:
        con.execute(
            "update quality.findings set status = 'resolved', resolved_at = ?"
            " where finding_id in (select unnest(?))",
            [now, [fid for fid, _sid in stale]],
        )
    events.extend([fid, now, "resolved", "resolved", None, sid, 0] for fid, sid in stale)
    event_columns = ["finding_id", "at", "event", "status", "comment", "submission_id", "rows"]
    insert_rows(con, "quality.finding_events", event_columns, events)
    result = ReconcileResult(len(inserts), reopened, len(updates) - reopened, len(stale))
    logger.info("findings: %s", result)
    return result


def _current_status(con: duckdb.DuckDBPyConnection, finding_id: str) -> str:
    row = con.execute(
        "select status from quality.findings where finding_id = ?", [finding_id]
    ).fetchone()
    if row is None:
        raise UnknownFindingError(finding_id)
    return str(row[0])


def acknowledge(
    con: duckdb.DuckDBPyConnection, finding_id: str, comment: str, now: dt.datetime | None = None
) -> None:
    """Mark a finding acknowledged (known, explained) with a comment; it stays until resolved."""
    if not comment.strip():
        raise ValueError("an acknowledgement needs a comment saying why")
    when = now or utc_now()
    status = _current_status(con, finding_id)
    new_status = "resolved" if status == "resolved" else "acknowledged"
    con.execute(
        "update quality.findings set status = ?, status_comment = ? where finding_id = ?",
        [new_status, comment, finding_id],
    )
    _event(con, finding_id, when, "acknowledged", new_status, comment)


def mark_follow_up(
    con: duckdb.DuckDBPyConnection,
    finding_id: str,
    follow_up: bool = True,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Flag (or unflag) a finding for follow-up by the data-quality officer."""
    when = now or utc_now()
    status = _current_status(con, finding_id)
    con.execute(
        "update quality.findings set follow_up = ?,"
        " status_comment = coalesce(?, status_comment) where finding_id = ?",
        [follow_up, comment, finding_id],
    )
    _event(
        con, finding_id, when, "follow_up" if follow_up else "follow_up_cleared", status, comment
    )

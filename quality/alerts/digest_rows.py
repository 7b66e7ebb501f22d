"""Row builders for the digest tables: missing, late, rejected, findings and score movers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from core.period import compress_months, jakarta_date
from quality.alerts.classify import FindingsView
from quality.alerts.directory import Directory
from quality.alerts.i18n import text
from quality.alerts.model import (
    SEVERITIES,
    Finding,
    Rejection,
    Score,
    StatusRow,
    reported_keys,
)
from quality.alerts.privacy import redact_text

MIN_SCORE_MOVE = 1.0
TOP_MOVERS = 5
UNIDENTIFIED_DAYS = 14


@dataclass(frozen=True)
class MissingRow:
    """A Bapas with reports past their deadline and not (validly) received."""

    kode_bapas: str
    nama_bapas: str
    nama_kanwil: str
    periods: tuple[str, ...]
    max_days_overdue: int
    possibly_inactive: bool


@dataclass(frozen=True)
class LateRow:
    """A report accepted after its deadline."""

    kode_bapas: str
    nama_bapas: str
    nama_kanwil: str
    period: str
    deadline: dt.date
    received_on: dt.date | None
    days_late: int


@dataclass(frozen=True)
class RejectedRow:
    """A rejected file not yet replaced by an accepted resubmission."""

    submission_id: str
    kode_bapas: str
    nama_bapas: str
    period: str
    received_on: dt.date | None
    error_code: str
    reason: str


@dataclass(frozen=True)
class FindingRow:
    """One finding as listed in a digest."""

    finding_id: str
    severity: str
    kode_bapas: str
    nama_bapas: str
    nama_kanwil: str
    period: str
    rule_id: str
    message: str
    affected_rows: int
    state: str


@dataclass(frozen=True)
class SeverityCount:
    """New / persisting / resolved counts of one severity."""

    severity: str
    label: str
    new: int
    persisting: int
    resolved: int
    # new + persisting: the one "masih terbuka" number (headline, table and per-Bapas list).
    still_open: int


@dataclass(frozen=True)
class Mover:
    """A Bapas whose quality score changed since the previous month."""

    kode_bapas: str
    nama_bapas: str
    previous: float
    current: float

    @property
    def delta(self) -> float:
        """Current minus previous score (points, 0-100 scale)."""
        return self.current - self.previous


def _period_label(row: StatusRow, lang: str) -> str:
    known = row.report_kind in ("annual_plan",)
    return f"{row.period} ({text('kind_' + row.report_kind, lang) if known else row.report_kind})"


def missing_rows(
    status: Iterable[StatusRow], directory: Directory, lang: str
) -> tuple[MissingRow, ...]:
    """Missing reports grouped per Bapas, longest overdue first.

    "Possibly inactive" follows the office's latest monthly row: an office that was silent
    last year but reports again is just late on the old months, not inactive.
    """
    per_bapas: dict[str, list[StatusRow]] = {}
    latest: dict[str, StatusRow] = {}
    for row in status:
        if row.status == "missing":
            per_bapas.setdefault(row.kode_bapas, []).append(row)
        if row.report_kind == "monthly" and row.status != "not_yet_due":
            if row.kode_bapas not in latest or latest[row.kode_bapas].period < row.period:
                latest[row.kode_bapas] = row
    out = []
    for kode, rows in per_bapas.items():
        last = latest.get(kode)
        monthly = [r.period for r in rows if r.report_kind == "monthly"]
        other = [_period_label(r, lang) for r in rows if r.report_kind != "monthly"]
        out.append(
            MissingRow(
                kode_bapas=kode,
                nama_bapas=directory.bapas_name(kode),
                nama_kanwil=directory.kanwil_name(rows[0].kode_kanwil),
                periods=(*sorted(other), *compress_months(monthly)),
                max_days_overdue=max(r.days_overdue or 0 for r in rows),
                possibly_inactive=bool(
                    last and last.status == "missing" and last.possibly_inactive
                ),
            )
        )
    return tuple(sorted(out, key=lambda m: (-m.max_days_overdue, m.kode_bapas)))


def late_rows(
    status: Iterable[StatusRow], months: tuple[str, ...], directory: Directory
) -> tuple[LateRow, ...]:
    """Late monthly reports of the window, most recent period first."""
    out = []
    for row in status:
        if row.status != "late" or row.period not in months:
            continue
        received = jakarta_date(row.first_received_at) if row.first_received_at else None
        out.append(
            LateRow(
                kode_bapas=row.kode_bapas,
                nama_bapas=directory.bapas_name(row.kode_bapas),
                nama_kanwil=directory.kanwil_name(row.kode_kanwil),
                period=row.period,
                deadline=row.deadline,
                received_on=received,
                days_late=(received - row.deadline).days if received else row.days_overdue or 0,
            )
        )
    return tuple(sorted(out, key=lambda r: (r.period, r.days_late), reverse=True))


def rejected_rows(
    rejections: Iterable[Rejection],
    status: Iterable[StatusRow],
    directory: Directory,
    lang: str,
    as_of: dt.date,
) -> tuple[tuple[RejectedRow, ...], int]:
    """Rejected files still unresolved, and how many were since replaced by accepted ones.

    A file whose Bapas could not be identified can never be "replaced", so it is listed only
    for UNIDENTIFIED_DAYS after it arrived instead of for the whole window.
    """
    reported = reported_keys(status)
    open_rows, fixed = [], 0
    for rej in rejections:
        if rej.held:  # listed as "ditahan" (quality/alerts/held.py), not as rejected
            continue
        if rej.replaced(reported):
            fixed += 1
            continue
        received = jakarta_date(rej.received_at) if rej.received_at else None
        if not rej.kode_bapas and (received is None or (as_of - received).days > UNIDENTIFIED_DAYS):
            continue
        open_rows.append(
            RejectedRow(
                submission_id=rej.submission_id,
                kode_bapas=rej.kode_bapas or "",
                nama_bapas=directory.bapas_name(rej.kode_bapas)
                if rej.kode_bapas
                else f"{text('unknown_bapas', lang)} {redact_text(rej.original_name)}",
                # Not "?" (issue #15 item 2): "Bapas Kelas I Palu ?" read as a typo.
                period=rej.period or text("periode_unread", lang),
                received_on=received,
                error_code=rej.error_code,
                reason=redact_text(_rejection_reason(rej, lang)),
            )
        )
    return tuple(open_rows), fixed


def _rejection_reason(rej: Rejection, lang: str) -> str:
    localised = rej.message_id if lang == "id" else rej.message_en
    return localised or rej.error_summary or rej.error_code


def finding_message(finding: Finding, lang: str) -> tuple[str, str]:
    """(message, hint) in `lang`, falling back to the other language, PII-redacted."""
    if lang == "id":
        message, hint = finding.message_id or finding.message_en, finding.hint_id or finding.hint_en
    else:
        message, hint = finding.message_en or finding.message_id, finding.hint_en or finding.hint_id
    return redact_text(message), redact_text(hint)


def finding_rows(
    findings: Iterable[Finding], directory: Directory, lang: str, state: str
) -> tuple[FindingRow, ...]:
    """Errors and warnings as digest rows (info findings are only counted)."""
    rows = [
        FindingRow(
            finding_id=f.finding_id,
            severity=f.severity,
            kode_bapas=f.kode_bapas,
            nama_bapas=directory.bapas_name(f.kode_bapas),
            nama_kanwil=directory.kanwil_name(f.kode_kanwil),
            period=f.period,
            rule_id=f.rule_id,
            message=finding_message(f, lang)[0],
            affected_rows=f.affected_rows,
            state=state,
        )
        for f in findings
        if f.severity in ("error", "warning")
    ]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(
        sorted(
            rows,
            key=lambda r: (order[r.severity], r.nama_kanwil, r.kode_bapas, r.period, r.rule_id),
        )
    )


def severity_counts(view: FindingsView, lang: str) -> tuple[SeverityCount, ...]:
    """The new / persisting / resolved table, one row per severity."""
    return tuple(
        SeverityCount(
            severity=sev,
            label=text(f"sev_{sev}", lang),
            new=sum(f.severity == sev for f in view.new),
            persisting=sum(f.severity == sev for f in view.persisting),
            resolved=sum(f.severity == sev for f in view.resolved),
            still_open=sum(f.severity == sev for f in (*view.new, *view.persisting)),
        )
        for sev in SEVERITIES
    )


def open_by_bapas(
    findings: Iterable[Finding], directory: Directory
) -> tuple[tuple[str, str, int, int], ...]:
    """(kode, name, open errors, open warnings) per Bapas, worst first (pass new + persisting)."""
    counts: dict[str, list[int]] = {}
    for f in findings:
        pair = counts.setdefault(f.kode_bapas, [0, 0])
        if f.severity == "error":
            pair[0] += 1
        elif f.severity == "warning":
            pair[1] += 1
    rows = [(k, directory.bapas_name(k), e, w) for k, (e, w) in counts.items() if e or w]
    return tuple(sorted(rows, key=lambda r: (-r[2], -r[3], r[0])))


def movers(
    scores: Iterable[Score], period: str, scope: set[str], directory: Directory
) -> tuple[Mover, ...]:
    """The Bapas whose quality score moved most since the previous month."""
    by_key = {(s.kode_bapas, s.period): s.quality_score for s in scores if s.kode_bapas in scope}
    out = []
    for (kode, month), current in by_key.items():
        previous = next((v for (k, p), v in by_key.items() if k == kode and p != month), None)
        if month == period and previous is not None and abs(current - previous) >= MIN_SCORE_MOVE:
            out.append(Mover(kode, directory.bapas_name(kode), previous, current))
    out.sort(key=lambda m: (-abs(m.delta), m.kode_bapas))
    return tuple(out[:TOP_MOVERS])

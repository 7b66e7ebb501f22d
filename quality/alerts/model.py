"""Typed records the alert builders consume and produce (no I/O here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
OPEN_STATUSES = ("open", "acknowledged")
# Findings of these families restate the register (missing, late) or the ledger (rejected file);
# digests and fix-lists show them from those sources, with more detail, not as findings again.
SECTION_FAMILIES = frozenset({"completeness", "timeliness", "rejected_file"})
SECTION_RULES = frozenset({"PLAN_MISSING"})  # family annual_plan, but it is a missing report


@dataclass(frozen=True)
class StatusRow:
    """One owed report (Bapas x report kind x period) from quality.submission_status."""

    kode_bapas: str
    kode_kanwil: str
    report_kind: str
    period: str
    deadline: dt.date
    received: bool
    first_received_at: dt.datetime | None
    accepted: bool
    on_time: bool
    status: str
    days_overdue: int | None
    possibly_inactive: bool
    # The register's indicator decisions (quality/indicators.py): the digest counts these and
    # never re-decides from `status`, so its rates equal `lipas check` and the mart (issue 13).
    counts_as_expected: bool
    counts_as_reported: bool
    counts_as_on_time: bool

    @property
    def key(self) -> tuple[str, str, str]:
        """(kode_bapas, report_kind, periode): the owed report this row is about."""
        return (self.kode_bapas, self.report_kind, self.period)


def reported_keys(status: Iterable[StatusRow]) -> set[tuple[str, str, str]]:
    """Owed reports that count as reported (an accepted version exists)."""
    return {s.key for s in status if s.counts_as_reported}


@dataclass(frozen=True)
class SampleRow:
    """One cell a sender must look at; values are pseudonymous (redacted again on render)."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str = ""


@dataclass(frozen=True)
class Finding:
    """One quality finding from quality.findings."""

    finding_id: str
    rule_id: str
    rule_family: str
    severity: str
    report_kind: str
    kode_bapas: str
    kode_kanwil: str
    period: str
    affected_rows: int
    sample_rows: tuple[SampleRow, ...]
    message_id: str
    hint_id: str
    message_en: str
    hint_en: str
    first_seen: dt.datetime | None
    resolved_at: dt.datetime | None
    status: str

    @property
    def is_open(self) -> bool:
        """Acknowledged findings are still open: acknowledging is not fixing."""
        return self.status in OPEN_STATUSES

    @property
    def is_content(self) -> bool:
        """A problem inside the data, not a missing, late or rejected file."""
        return self.rule_family not in SECTION_FAMILIES and self.rule_id not in SECTION_RULES


@dataclass(frozen=True)
class Rejection:
    """A rejected file from ledger.submissions, with details from its quarantine report."""

    submission_id: str
    original_name: str
    report_kind: str | None
    kode_bapas: str | None
    period: str | None
    received_at: dt.datetime | None
    error_code: str
    error_summary: str
    message_id: str = ""
    message_en: str = ""
    hint_id: str = ""
    hint_en: str = ""
    details: tuple[SampleRow, ...] = ()
    owner_inferred: bool = False
    # A held file (ledger status `held`): loaded but not in force until Ditjen decides. Another
    # accepted report for the same Bapas-period does not settle it, so it stays listed.
    held: bool = False
    # The technical cause (library or parser words) for the operator-only section of a fix-list;
    # never inside a sentence meant for the clerk (issue #15 item 2).
    detail: str = ""

    def replaced(self, reported: set[tuple[str, str, str]]) -> bool:
        """True when an accepted report for this Bapas-period makes the entry moot."""
        return not self.held and (self.kode_bapas, self.report_kind, self.period) in reported

    def covers(self, row: StatusRow) -> bool:
        """True when this file was sent for the owed report `row` (kind unknown matches too)."""
        return (
            self.kode_bapas == row.kode_bapas
            and self.period == row.period
            and self.report_kind in (None, row.report_kind)
        )


def unresolved_rejections(
    rejections: Iterable[Rejection], status: Iterable[StatusRow]
) -> tuple[Rejection, ...]:
    """Rejected or held files of a known Bapas that no accepted report has made moot.

    Their office did send something: it is listed as "ditolak, belum dikirim ulang" and gets a
    fix-list, never "belum mengirim" or an overdue notice saying the report was not received.
    """
    reported = reported_keys(status)
    return tuple(r for r in rejections if r.kode_bapas and not r.replaced(reported))


def awaiting_resubmission(row: StatusRow, pending: Iterable[Rejection]) -> bool:
    """True when the owed report `row` is not reported but a rejected or held file covers it."""
    return not row.counts_as_reported and any(r.covers(row) for r in pending)


@dataclass(frozen=True)
class Score:
    """Quality score of one Bapas for one monthly period."""

    kode_bapas: str
    period: str
    quality_score: float


@dataclass(frozen=True)
class Undelivered:
    """A message still in the outbox after at least one failed attempt."""

    message_key: str
    audience: str
    subject: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class RunFailure:
    """A failed pipeline run recorded by the run-failure sensor (reports/run_failures.jsonl)."""

    run_id: str
    job: str
    message: str
    failed_at: str


@dataclass(frozen=True)
class AlertInputs:
    """Everything the builders need, read once by `loader.load_inputs`."""

    as_of: dt.date
    period: str
    months: tuple[str, ...]
    status: tuple[StatusRow, ...]
    findings: tuple[Finding, ...]
    rejections: tuple[Rejection, ...]
    scores: tuple[Score, ...]
    undelivered: tuple[Undelivered, ...]
    quality_available: bool
    run_failures: tuple[RunFailure, ...] = ()
    # Highest IDENTITAS `versi` in the ledger per (kode_bapas, periode): a blank form attached
    # to a fix-list carries the next one, so the resubmission replaces the old version.
    versi: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertHistory:
    """What was announced before today: (audience, key, kind) triples from quality.alert_log."""

    announced: frozenset[tuple[str, str, str]] = frozenset()

    def was(self, audience: str, key: str, kind: str) -> bool:
        """True when `key` was announced to `audience` as `kind` in an earlier digest."""
        return (audience, key, kind) in self.announced


@dataclass(frozen=True)
class LogEntry:
    """One row to write to quality.alert_log for today's digest."""

    finding_id: str
    audience: str
    kind: str


@dataclass(frozen=True)
class ReportResult:
    """What `run_report` produced; returned to the CLI and to the Dagster job's metadata."""

    period: str
    as_of: dt.date
    lang: str
    report_dir: Path
    files: tuple[Path, ...]
    headline: dict[str, float | int] = field(default_factory=dict)
    queued: int = 0
    sent: int = 0
    pending: int = 0
    errors: tuple[str, ...] = ()

    @property
    def output_dir(self) -> Path:
        """Alias of `report_dir` (the name the Dagster asset uses)."""
        return self.report_dir

    @property
    def failed(self) -> int:
        """Messages that could not be delivered in this run (they stay in quality.outbox)."""
        return len(self.errors)

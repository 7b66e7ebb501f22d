"""Per-Bapas fix-lists: exactly which cell to fix, why, and how to get a fresh form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from quality.alerts.classify import classify_findings
from quality.alerts.digest_rows import finding_message
from quality.alerts.directory import Directory
from quality.alerts.i18n import text
from quality.alerts.model import (
    SEVERITIES,
    AlertHistory,
    AlertInputs,
    Finding,
    LogEntry,
    Rejection,
    SampleRow,
)
from quality.alerts.privacy import redact_cell, redact_text
from quality.alerts.rates import REPORTED

TEMPLATE_COMMAND = "lipas template --bapas {kode} --period {periode} --out {file}"


@dataclass(frozen=True)
class FixEntry:
    """One problem to fix: a rejected file or a finding, with the cells involved."""

    kind: str  # rejection | finding
    severity: str
    rule_id: str
    periode: str
    message: str
    hint: str
    cells: tuple[SampleRow, ...]
    more_rows: int
    is_new: bool


@dataclass(frozen=True)
class FixList:
    """Everything one Bapas must fix, newest problems flagged."""

    kode_bapas: str
    nama_bapas: str
    as_of: dt.date
    entries: tuple[FixEntry, ...]
    template_commands: tuple[str, ...]
    log_entries: tuple[LogEntry, ...]

    @property
    def new_count(self) -> int:
        """Entries not announced to this Bapas before: a fix-list is mailed only when > 0."""
        return sum(e.is_new for e in self.entries)


def _safe_cells(cells: tuple[SampleRow, ...]) -> tuple[SampleRow, ...]:
    return tuple(
        SampleRow(
            sheet=c.sheet,
            row=c.row,
            column=c.column,
            value=redact_cell(c.column, c.value),
            message=redact_text(c.message),
        )
        for c in cells
    )


def _rejection_entry(rej: Rejection, lang: str, is_new: bool) -> FixEntry:
    message = (
        (rej.message_id or rej.message_en) if lang == "id" else (rej.message_en or rej.message_id)
    )
    hint = (rej.hint_id or rej.hint_en) if lang == "id" else (rej.hint_en or rej.hint_id)
    return FixEntry(
        kind="rejection",
        severity="error",
        rule_id=f"rejected_file.{rej.error_code}",
        periode=rej.periode or "?",
        message=redact_text(
            f"{rej.original_name}: {message or rej.error_summary or rej.error_code}"
            + (f" ({text('fx_owner_inferred', lang)})" if rej.owner_inferred else "")
        ),
        hint=redact_text(hint),
        cells=_safe_cells(rej.details),
        more_rows=0,
        is_new=is_new,
    )


def _finding_entry(finding: Finding, lang: str, is_new: bool) -> FixEntry:
    message, hint = finding_message(finding, lang)
    return FixEntry(
        kind="finding",
        severity=finding.severity,
        rule_id=finding.rule_id,
        periode=finding.periode,
        message=message,
        hint=hint,
        cells=_safe_cells(finding.sample_rows),
        more_rows=max(finding.affected_rows - len(finding.sample_rows), 0),
        is_new=is_new,
    )


def bapas_needing_fixlist(inputs: AlertInputs) -> tuple[str, ...]:
    """Bapas with an unresolved rejection or an open error/warning finding."""
    reported = {
        (s.kode_bapas, s.report_kind, s.periode) for s in inputs.status if s.status in REPORTED
    }
    codes = {
        r.kode_bapas
        for r in inputs.rejections
        if r.kode_bapas and (r.kode_bapas, r.report_kind, r.periode) not in reported
    }
    codes |= {
        f.kode_bapas for f in inputs.findings if f.is_open and f.is_content and f.severity != "info"
    }
    return tuple(sorted(c for c in codes if c))


def build_fixlist(
    inputs: AlertInputs, history: AlertHistory, directory: Directory, kode_bapas: str, lang: str
) -> FixList:
    """The fix-list of one Bapas: rejections first, then errors, then warnings."""
    audience = f"bapas:{kode_bapas}"
    reported = {
        (s.kode_bapas, s.report_kind, s.periode) for s in inputs.status if s.status in REPORTED
    }
    rejections = [
        r
        for r in inputs.rejections
        if r.kode_bapas == kode_bapas and (r.kode_bapas, r.report_kind, r.periode) not in reported
    ]
    mine = [
        f
        for f in inputs.findings
        if f.kode_bapas == kode_bapas and f.severity != "info" and f.is_content
    ]
    view = classify_findings(mine, audience, history)
    new_ids = {f.finding_id for f in view.new}
    order = {s: i for i, s in enumerate(SEVERITIES)}
    open_findings = sorted(
        (*view.new, *view.persisting), key=lambda f: (order[f.severity], f.periode, f.rule_id)
    )
    entries = (
        *(
            _rejection_entry(
                r, lang, not history.was(audience, f"rejection|{r.submission_id}", "rejected")
            )
            for r in rejections
        ),
        *(_finding_entry(f, lang, f.finding_id in new_ids) for f in open_findings),
    )
    periods = sorted({e.periode for e in entries if e.periode and e.periode != "?"})
    commands = tuple(
        TEMPLATE_COMMAND.format(
            kode=kode_bapas, periode=p, file=f"laporan_bulanan_{kode_bapas}_{p}.xlsx"
        )
        for p in periods
        if len(p) == 7
    )
    log = (
        *(LogEntry(f"rejection|{r.submission_id}", audience, "rejected") for r in rejections),
        *(LogEntry(f.finding_id, audience, "new") for f in view.new),
        *(LogEntry(f.finding_id, audience, "persisting") for f in view.persisting),
    )
    return FixList(
        kode_bapas=kode_bapas,
        nama_bapas=directory.bapas_name(kode_bapas),
        as_of=inputs.as_of,
        entries=tuple(entries),
        template_commands=commands,
        log_entries=tuple(log),
    )

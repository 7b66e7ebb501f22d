"""Per-Bapas fix-lists: exactly which cell to fix, why, and how to get a fresh form.

A clerk reads these (issue #15 item 2): values appear as typed (Y/N, dd/mm/yyyy), the blank form
comes attached (or as a configured link) instead of a server command, an accepted report with
warnings only does not open with "not accepted", and technical causes sit in a separate
operator-only section, never inside a Bahasa sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from quality.alerts.classify import classify_findings
from quality.alerts.digest_rows import finding_message
from quality.alerts.directory import Directory
from quality.alerts.forms import BlankForm, blank_forms
from quality.alerts.held import held_reason, held_rule_id, held_severity
from quality.alerts.i18n import text
from quality.alerts.model import (
    SEVERITIES,
    AlertHistory,
    AlertInputs,
    Finding,
    LogEntry,
    Rejection,
    SampleRow,
    unresolved_rejections,
)
from quality.alerts.privacy import redact_cell, redact_text

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_BOOLEAN_TEXT = {"true": "Y", "false": "N"}
_YN_TEXT = {"true": "Y", "false": "N", "1": "Y", "0": "N", "y": "Y", "n": "N"}


@dataclass(frozen=True)
class FixEntry:
    """One problem to fix: a rejected file or a finding, with the cells involved."""

    kind: str  # rejection | held | finding
    severity: str
    rule_id: str
    period: str
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
    forms: tuple[BlankForm, ...]
    log_entries: tuple[LogEntry, ...]
    # Technical causes (library words, parser messages) for the operator; shown apart.
    operator_notes: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """Only warnings: the report counts, the clerk is asked to check, not told it failed."""
        return all(e.kind == "finding" and e.severity != "error" for e in self.entries)

    @property
    def held_only(self) -> bool:
        """Only held files: the clerk is told the file arrived and is held, not to resend."""
        return bool(self.entries) and all(e.kind == "held" for e in self.entries)

    @property
    def new_count(self) -> int:
        """Entries not announced to this Bapas before: a fix-list is mailed only when > 0."""
        return sum(e.is_new for e in self.entries)


@lru_cache(maxsize=1)
def _column_types() -> dict[tuple[str, str], str]:
    """(SHEET, column) -> contract type, over every report kind (for display only)."""
    from core.contract.model import load_contract

    return {
        (sheet.name.upper(), column.name): column.type
        for kind in load_contract().report_kinds.values()
        for sheet in kind.sheets
        for column in sheet.columns
    }


def as_typed(sheet: str, column: str, value: str) -> str:
    """A stored value shown the way the clerk typed it in the form.

    Regression (issue #15 item 2): a Y/N cell typed as N appeared as `false` and dates as
    2026-10-03; the form takes Y/N and dd/mm/yyyy, so that is what the fix-list shows.
    """
    kind = _column_types().get((sheet.upper(), column))
    text_value = value.strip()
    if kind == "yn":
        return _YN_TEXT.get(text_value.lower(), value)
    if kind is None and text_value.lower() in _BOOLEAN_TEXT:  # a column the contract lacks
        return _BOOLEAN_TEXT[text_value.lower()]
    match = _ISO_DATE.match(text_value)
    if match and kind in (None, "date"):
        year, month, day = match.groups()
        return f"{day}/{month}/{year}"
    return value


def _safe_cells(cells: tuple[SampleRow, ...]) -> tuple[SampleRow, ...]:
    return tuple(
        SampleRow(
            sheet=c.sheet,
            row=c.row,
            column=c.column,
            value=as_typed(c.sheet, c.column, redact_cell(c.column, c.value)),
            message=redact_text(c.message),
        )
        for c in cells
    )


def _rejection_entry(rej: Rejection, lang: str, is_new: bool) -> FixEntry:
    if rej.held:
        return _held_entry(rej, lang, is_new)
    message = (
        (rej.message_id or rej.message_en) if lang == "id" else (rej.message_en or rej.message_id)
    )
    hint = (rej.hint_id or rej.hint_en) if lang == "id" else (rej.hint_en or rej.hint_id)
    # Without the quarantine report only the ledger summary is left: it is bilingual and may
    # carry library words, so the clerk gets a plain sentence and the operator the summary.
    return FixEntry(
        kind="rejection",
        severity="error",
        rule_id=f"rejected_file.{rej.error_code}",
        period=rej.period or "",
        message=redact_text(
            f"{rej.original_name}: {message or text('fx_rejected_unknown', lang)}"
            + (f" ({text('fx_owner_inferred', lang)})" if rej.owner_inferred else "")
        ),
        hint=redact_text(hint),
        cells=_safe_cells(rej.details),
        more_rows=0,
        is_new=is_new,
    )


def _held_entry(rej: Rejection, lang: str, is_new: bool) -> FixEntry:
    """A held file: its own rule id and severity, worded "ditahan" (never "ditolak")."""
    hint = (rej.hint_id or rej.hint_en) if lang == "id" else (rej.hint_en or rej.hint_id)
    return FixEntry(
        kind="held",
        severity=held_severity(rej),
        rule_id=held_rule_id(rej),
        period=rej.period or "",
        message=redact_text(f"{rej.original_name}: {held_reason(rej, lang)}"),
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
        period=finding.period,
        message=message,
        hint=hint,
        cells=_safe_cells(finding.sample_rows),
        more_rows=max(finding.affected_rows - len(finding.sample_rows), 0),
        is_new=is_new,
    )


def bapas_needing_fixlist(inputs: AlertInputs) -> tuple[str, ...]:
    """Bapas with an unresolved rejection or an open error/warning finding."""
    codes = {r.kode_bapas for r in unresolved_rejections(inputs.rejections, inputs.status)}
    codes |= {
        f.kode_bapas for f in inputs.findings if f.is_open and f.is_content and f.severity != "info"
    }
    return tuple(sorted(c for c in codes if c))


def _operator_note(rej: Rejection) -> str | None:
    detail = rej.detail or ("" if rej.message_id else rej.error_summary)
    return redact_text(f"{rej.original_name} ({rej.error_code}): {detail}") if detail else None


def build_fixlist(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    kode_bapas: str,
    lang: str,
    template_url: str | None = None,
) -> FixList:
    """The fix-list of one Bapas: rejections first, then errors, then warnings."""
    audience = f"bapas:{kode_bapas}"
    # A held file whose path names another period of the same office is listed (by the
    # loader) under both periods; the office's own list shows the file once.
    by_file: dict[str, Rejection] = {}
    for r in unresolved_rejections(inputs.rejections, inputs.status):
        if r.kode_bapas == kode_bapas:
            by_file.setdefault(r.submission_id, r)
    rejections = list(by_file.values())
    mine = [
        f
        for f in inputs.findings
        if f.kode_bapas == kode_bapas and f.severity != "info" and f.is_content
    ]
    view = classify_findings(mine, audience, history)
    new_ids = {f.finding_id for f in view.new}
    order = {s: i for i, s in enumerate(SEVERITIES)}
    open_findings = sorted(
        (*view.new, *view.persisting), key=lambda f: (order[f.severity], f.period, f.rule_id)
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
    # A held file needs a decision or a corrected IDENTITAS sheet, not a blank form.
    forms = blank_forms(
        kode_bapas, {e.period for e in entries if e.kind != "held"}, inputs.versi, template_url
    )
    notes = tuple(n for n in (_operator_note(r) for r in rejections) if n)
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
        forms=forms,
        log_entries=tuple(log),
        operator_notes=notes,
    )

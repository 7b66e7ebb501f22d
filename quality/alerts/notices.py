"""Reminders before the deadline, overdue notices after it, and resolution notices, per Bapas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from quality.alerts.classify import classify_findings
from quality.alerts.digest_rows import finding_message
from quality.alerts.directory import Directory
from quality.alerts.forms import BlankForm, blank_forms
from quality.alerts.i18n import text
from quality.alerts.model import (
    AlertHistory,
    AlertInputs,
    LogEntry,
    awaiting_resubmission,
    reported_keys,
    unresolved_rejections,
)
from quality.alerts.privacy import redact_text

DEFAULT_REMINDER_DAYS = 3


@dataclass(frozen=True)
class NoticeItem:
    """One report (or resolved finding) a notice is about."""

    key: str
    period: str
    report_kind: str
    deadline: dt.date | None
    days: int
    text: str = ""


@dataclass(frozen=True)
class Notice:
    """One message to one Bapas: kind is reminder, overdue or resolution."""

    kind: str
    kode_bapas: str
    nama_bapas: str
    as_of: dt.date
    items: tuple[NoticeItem, ...]
    # The forms for the reports a reminder or overdue notice asks for (none for a resolution).
    forms: tuple[BlankForm, ...] = ()

    @property
    def audience(self) -> str:
        """Recipients role of the notice."""
        return f"bapas:{self.kode_bapas}"

    @property
    def log_entries(self) -> tuple[LogEntry, ...]:
        """Each item is announced once; the log keeps it from being sent again."""
        # A resolution is logged as the finding's `resolved` state, which classify_findings reads.
        kind = "resolved" if self.kind == "resolution" else self.kind
        return tuple(LogEntry(i.key, self.audience, kind) for i in self.items)


def _rejections_fixed(
    inputs: AlertInputs,
    history: AlertHistory,
    items: dict[tuple[str, str], list[NoticeItem]],
    lang: str,
) -> None:
    """A rejected file the Bapas was told about, now replaced by an accepted resubmission."""
    reported = reported_keys(inputs.status)
    for rej in inputs.rejections:
        if not rej.kode_bapas or not rej.replaced(reported):
            continue
        audience, key = f"bapas:{rej.kode_bapas}", f"rejection|{rej.submission_id}"
        if history.was(audience, key, "rejected") and not history.was(audience, key, "resolved"):
            items.setdefault((rej.kode_bapas, "resolution"), []).append(
                NoticeItem(
                    key,
                    rej.period or "",
                    rej.report_kind or "",
                    None,
                    0,
                    text("nt_rejection_fixed", lang, file=redact_text(rej.original_name)),
                )
            )


def build_notices(
    inputs: AlertInputs,
    history: AlertHistory,
    directory: Directory,
    *,
    reminder_days: int = DEFAULT_REMINDER_DAYS,
    lang: str = "id",
    template_url: str | None = None,
) -> tuple[Notice, ...]:
    """All notices due today, at most one per Bapas and kind, each item sent once.

    A reminder goes out when the deadline is `reminder_days` days away or closer (so a skipped
    night does not skip the reminder); an overdue notice from the day after the deadline.
    """
    items: dict[tuple[str, str], list[NoticeItem]] = {}
    # A report whose file was rejected or held is covered by the fix-list ("berkas rusak, kirim
    # ulang"): a notice saying "belum kami terima" on top of it contradicts it (issue 13).
    pending = unresolved_rejections(inputs.rejections, inputs.status)
    for row in inputs.status:
        if awaiting_resubmission(row, pending):
            continue
        audience = f"bapas:{row.kode_bapas}"
        days_left = (row.deadline - inputs.as_of).days
        if row.status == "not_yet_due" and not row.received and 0 <= days_left <= reminder_days:
            kind, days = "reminder", days_left
        elif row.status == "missing" and days_left < 0:
            kind, days = "overdue", -days_left
        else:
            continue
        key = f"{kind}|{row.report_kind}|{row.period}"
        if not history.was(audience, key, kind):
            items.setdefault((row.kode_bapas, kind), []).append(
                NoticeItem(key, row.period, row.report_kind, row.deadline, days)
            )
    for kode in sorted({f.kode_bapas for f in inputs.findings if f.status == "resolved"}):
        mine = [f for f in inputs.findings if f.kode_bapas == kode and f.is_content]
        resolved = classify_findings(mine, f"bapas:{kode}", history).resolved
        for f in resolved:
            items.setdefault((kode, "resolution"), []).append(
                NoticeItem(
                    f.finding_id,
                    f.period,
                    f.report_kind,
                    None,
                    0,
                    f"{f.rule_id}: {finding_message(f, lang)[0]}",
                )
            )
    _rejections_fixed(inputs, history, items, lang)
    return tuple(
        Notice(
            kind,
            kode,
            directory.bapas_name(kode),
            inputs.as_of,
            tuple(sorted(found, key=lambda i: (i.period, i.key))),
            ()
            if kind == "resolution"
            else blank_forms(kode, {i.period for i in found}, inputs.versi, template_url),
        )
        for (kode, kind), found in sorted(items.items())
    )

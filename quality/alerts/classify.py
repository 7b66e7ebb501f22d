"""Split findings into new / persisting / resolved for one audience, from the alert log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from quality.alerts.model import AlertHistory, Finding, LogEntry


@dataclass(frozen=True)
class FindingsView:
    """The findings one audience sees today, and the log rows that record it."""

    new: tuple[Finding, ...]
    persisting: tuple[Finding, ...]
    resolved: tuple[Finding, ...]

    def log_entries(self, audience: str) -> tuple[LogEntry, ...]:
        """alert_log rows for today: each finding listed under the kind it was shown as."""
        return (
            *(LogEntry(f.finding_id, audience, "new") for f in self.new),
            *(LogEntry(f.finding_id, audience, "persisting") for f in self.persisting),
            *(LogEntry(f.finding_id, audience, "resolved") for f in self.resolved),
        )


def classify_findings(
    findings: Iterable[Finding], audience: str, history: AlertHistory
) -> FindingsView:
    """Announce each finding once, list it as persisting afterwards, report resolution once.

    A resolved finding is listed only if this audience was told about it, so a problem fixed
    before anyone heard of it does not produce noise.
    """
    new: list[Finding] = []
    persisting: list[Finding] = []
    resolved: list[Finding] = []
    for finding in findings:
        announced = history.was(audience, finding.finding_id, "new")
        if finding.is_open:
            (persisting if announced else new).append(finding)
        elif (
            finding.status == "resolved"
            and announced
            and not history.was(audience, finding.finding_id, "resolved")
        ):
            resolved.append(finding)
    return FindingsView(tuple(new), tuple(persisting), tuple(resolved))

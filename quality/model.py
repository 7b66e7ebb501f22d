"""Records shared by every rule family: severities, rule metadata and draft findings."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
IMPORTANCE_TO_SEVERITY: dict[str, Severity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}
FAMILIES: tuple[str, ...] = (
    "completeness",
    "timeliness",
    "rejected_file",
    "validity",
    "consistency",
    "continuity",
    "outlier",
    "cross_bapas",
    "duplicate",
    "annual_plan",
)
MAX_SAMPLE_ROWS = 20


@dataclass(frozen=True)
class RuleMeta:
    """What the catalogue says about a rule: enough to render a finding's messages."""

    rule_id: str
    family: str
    severity: Severity
    definition: str
    message_id: str
    message_en: str
    hint_id: str
    hint_en: str


@dataclass(frozen=True)
class SampleRow:
    """One offending cell; `value` is never a NIK or a name (raw tables hold neither)."""

    sheet: str | None
    row: int | None
    column: str | None
    value: str | None

    def as_json(self) -> dict[str, object]:
        """Shape documented for quality.findings.sample_rows."""
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value}


@dataclass(frozen=True)
class FindingDraft:
    """A finding as a rule emits it, before the store assigns history and status."""

    rule: RuleMeta
    kode_bapas: str | None
    period: str | None
    subject: str
    report_kind: str | None = "monthly"
    submission_id: str | None = None
    affected_rows: int = 1
    samples: tuple[SampleRow, ...] = ()
    params: dict[str, object] = field(default_factory=dict)

    @property
    def finding_id(self) -> str:
        """Stable id: the same problem in a resubmission keeps the same id."""
        key = "|".join((self.rule.rule_id, self.kode_bapas or "", self.period or "", self.subject))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]

    def sample_json(self) -> str:
        """sample_rows column value (JSON list, at most MAX_SAMPLE_ROWS entries)."""
        return json.dumps([s.as_json() for s in self.samples[:MAX_SAMPLE_ROWS]], default=str)

    def rows(self) -> list[int]:
        """Row numbers of the samples (for fix-lists and manifest evaluation)."""
        return sorted({s.row for s in self.samples if s.row is not None})

    def render(self) -> tuple[str, str, str, str]:
        """(message_id, hint_id, message_en, hint_en) with placeholders filled."""
        values = {
            "kode_bapas": self.kode_bapas or "?",
            "period": self.period or "?",
            "count": self.affected_rows,
            "rows": format_rows(self.rows()),
            **self.params,
        }
        rule = self.rule
        return (
            fill(rule.message_id, values),
            fill(rule.hint_id, values),
            fill(rule.message_en, values),
            fill(rule.hint_en, values),
        )


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: Mapping[str, object]) -> str:
    """Fill {placeholders}; unknown ones are left visible rather than raising mid-run."""
    return string.Formatter().vformat(template, (), _Lenient(values))


def format_rows(rows: list[int], limit: int = 10) -> str:
    """'3, 5, 9 (+4 lainnya/more)' for messages."""
    if not rows:
        return "-"
    shown = ", ".join(str(r) for r in rows[:limit])
    extra = len(rows) - limit
    return f"{shown} (+{extra} lainnya/more)" if extra > 0 else shown

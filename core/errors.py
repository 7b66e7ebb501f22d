"""Project errors and row-level issues, each carrying file/sheet/row/column context."""

from __future__ import annotations

from dataclasses import dataclass

# Error codes from docs/architecture.md ("Rejections"); a rejected file always carries one.
ERROR_CODES: tuple[str, ...] = (
    "unreadable",
    "encrypted",
    "too_large",
    "too_many_rows",
    "zip_bomb",
    "malformed_xml",
    "unknown_format",
    "not_a_regular_file",
    "csv_without_identitas",
    "unknown_bapas",
    "inactive_bapas",
    "bad_period",
    "missing_sheet",
    "missing_column",
    "empty_sheet",
    "ambiguous_identity",
    "duplicate_sheet",
    "formula_no_value",
)


class SubmissionError(Exception):
    """A structural problem that rejects a whole submission (the file goes to quarantine).

    The messages are written for the Bapas operator: Bahasa Indonesia first, English alongside,
    and they never contain a raw PII value.
    """

    def __init__(
        self,
        error_code: str,
        message_id: str,
        message_en: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        hint_id: str = "",
        hint_en: str = "",
        detail: str = "",
    ) -> None:
        if error_code not in ERROR_CODES:
            raise ValueError(f"unknown error code {error_code!r}")
        self.error_code = error_code
        self.message_id = message_id
        self.message_en = message_en
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.hint_id = hint_id
        self.hint_en = hint_en
        # Technical cause (library/parser message) for the operator only: it goes to the
        # quarantine report's operator section, never into the clerk's message or the ledger.
        self.detail = detail
        # The submission's identity as far as it was read before the problem (None = unknown),
        # so the ledger can tell which Bapas-month was rejected.
        self.report_kind: str | None = None
        self.kode_bapas: str | None = None
        self.period: str | None = None
        super().__init__(self.summary())

    def location(self) -> str:
        """'file, sheet X, row N, column Y' for whatever context is known."""
        parts = [p for p in (self.file,) if p]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def summary(self) -> str:
        """One line for the ledger: code, location and both languages."""
        where = self.location()
        prefix = f"{self.error_code} ({where})" if where else self.error_code
        return f"{prefix}: {self.message_id} / {self.message_en}"

    def with_identity(
        self, report_kind: str | None, kode_bapas: str | None, period: str | None
    ) -> SubmissionError:
        """Record what is known of the submission's identity (never overwrites a known part)."""
        self.report_kind = self.report_kind or report_kind
        self.kode_bapas = self.kode_bapas or kode_bapas
        self.period = self.period or period
        return self

    def with_file(self, file: str) -> SubmissionError:
        """Fill in the file name when the raising code did not know it."""
        if not self.file:
            self.file = file
            self.args = (self.summary(),)
        return self


@dataclass(frozen=True)
class RowIssue:
    """A cell that could not be parsed: stored as NULL and recorded in ledger.row_issues."""

    sheet: str
    row_number: int
    column_name: str
    value: str | None
    issue_code: str
    message_id: str
    message_en: str

"""Excel template a Bapas operator fills in, generated from the contract and reference seeds.

Every header, dropdown and range comes from contract.yaml and ref_codes.csv, so the template can
never drift from what ingestion accepts. Output is byte-for-byte deterministic for one input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.contract.doc_text import instruction_lines
from core.contract.model import ColumnSpec, ReportKindSpec, SheetSpec, load_contract
from core.contract.template_cells import (
    A4,
    LABEL_FORMAT,
    MACHINE_HEADER_FORMAT,
    YEAR_RANGE,
    column_validation,
    column_width,
    comment,
    print_setup,
    reference_validation,
    wrapped_lines,
)
from core.period import PERIOD_PATTERN, YEAR_PATTERN, period_bounds
from core.reference import Bapas, bapas_by_code, load_calendar, load_code_lists

# Fixed document date so two builds of the same template are identical files.
CREATED = dt.datetime(2026, 1, 1)
KODE_SHEET = "KODE"
INSTRUCTION_SHEET = "PETUNJUK"
# The list behind every `yn` column: taken from ref_codes like any other list, never typed here.
YN_CODE_LIST = "ya_tidak"
# Rows covered by validations: generous for the long sheets, enough for the rest.
VALIDATED_ROWS = {"KLIEN": 5000, "PESERTA": 5000}
DEFAULT_VALIDATED_ROWS = 500
# Data sheet layout (0-based rows): a Bahasa label row for people, the machine header the
# parser reads (ingestion.sheets.find_header skips the label row), then the data.
LABEL_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2
# Dropdowns fed from another sheet's key column: (sheet, column) -> (sheet, column) it names.
REFERENCES = {
    ("KEGIATAN", "kode_pokmas"): ("POKMAS", "kode_pokmas"),
    ("PESERTA", "kode_kegiatan"): ("KEGIATAN", "kode_kegiatan"),
    ("PESERTA", "no_register"): ("KLIEN", "no_register"),
}
# Characters: inside one A4 landscape width at 100 % in Excel and LibreOffice alike. LibreOffice
# does not shrink a single wider column to fit the page: the text was cut at the right edge.
INSTRUCTION_WIDTH = 110
LINE_HEIGHT = 15  # points per line of 11 pt text
DATE_FORMAT = "dd/mm/yyyy"
RUPIAH_FORMAT = '"Rp "#,##0'


class TemplateError(ValueError):
    """The template cannot be built for these arguments; the message says what to change."""


@dataclass(frozen=True)
class TemplateTarget:
    """What a template is for: report kind, period label and the period's first and last day."""

    kind: ReportKindSpec
    label: str
    start: dt.date
    end: dt.date
    deadline: dt.date


def resolve_target(period_or_year: str | int) -> TemplateTarget:
    """'YYYY-MM' means a monthly report, 'YYYY' an annual plan; anything else is refused."""
    contract = load_contract()
    text = str(period_or_year).strip()
    if match := PERIOD_PATTERN.fullmatch(text):
        year, period_type = int(match.group(1)), "period"
    elif YEAR_PATTERN.fullmatch(text):
        year, period_type = int(text), "year"
    else:
        raise TemplateError(
            f"period {text!r} is neither a month YYYY-MM (e.g. 2025-03) nor a year YYYY (e.g. 2025)"
        )
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise TemplateError(f"year {year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    start, end = period_bounds(text)
    kind = next(k for k in contract.report_kinds.values() if k.period_type == period_type)
    deadline = load_calendar()[kind.calendar_report_type].deadline(start)
    return TemplateTarget(kind, text, start, end, deadline)


def resolve_bapas(kode_bapas: str, target: TemplateTarget) -> Bapas:
    """The office the template is for; refuses unknown codes and offices closed in the period."""
    code = kode_bapas.strip().upper()
    bapas = bapas_by_code().get(code)
    if bapas is None:
        raise TemplateError(f"unknown Bapas code {kode_bapas!r}: not in ref_bapas.csv")
    if not bapas.is_active(target.start, target.end):
        until = f" to {bapas.aktif_sampai.isoformat()}" if bapas.aktif_sampai else ""
        raise TemplateError(
            f"Bapas {code} is not active in {target.label} "
            f"(active from {bapas.aktif_dari.isoformat()}{until})"
        )
    return bapas


def template_sheets(bapas: Bapas, target: TemplateTarget) -> list[SheetSpec]:
    """Contract sheets in this template; GRIYA_ABHIPRAYA only if the office runs one then."""
    # Checked on the period's last day: a house opened mid-month still reports that month.
    return [s for s in target.kind.sheets if s.required or bapas.runs_griya(target.end)]


def build_template(
    kode_bapas: str, period_or_year: str | int, out_path: Path, versi: int = 1
) -> Path:
    """Write the template workbook for one Bapas and period (YYYY-MM) or plan year (YYYY).

    `versi` prefills IDENTITAS.versi: a form attached to a fix-list for a resubmission carries
    the next version, so the clerk need not know to raise it (issue #15 item 2).

    Raises:
        TemplateError: unknown or inactive Bapas, a period that does not parse, or an output
            path that is not an .xlsx file.
    """
    import xlsxwriter

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise TemplateError(f"output file {out_path.name!r} must end in .xlsx")
    target = resolve_target(period_or_year)
    bapas = resolve_bapas(kode_bapas, target)
    sheets = template_sheets(bapas, target)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failure never leaves a half-written template.
    partial = out_path.with_name(f".{out_path.name}.partial")
    workbook = xlsxwriter.Workbook(str(partial), {"strings_to_numbers": False})
    try:
        workbook.set_properties(
            {
                "title": f"{target.kind.title_id} {bapas.kode_bapas} {target.label}",
                "author": "lipas-warehouse",
                "created": CREATED,
            }
        )
        _Writer(workbook, bapas, target, sheets, versi).write()
        workbook.close()
        partial.replace(out_path)
    finally:
        partial.unlink(missing_ok=True)
    return out_path


class _Writer:
    """Writes one template; holds the shared cell formats and code-list ranges."""

    def __init__(
        self,
        workbook: Any,
        bapas: Bapas,
        target: TemplateTarget,
        sheets: list[SheetSpec],
        versi: int = 1,
    ):
        self.wb = workbook
        self.bapas = bapas
        self.target = target
        self.sheets = sheets
        self.versi = versi
        self.fmt = {
            "label": workbook.add_format(LABEL_FORMAT),
            "header": workbook.add_format(MACHINE_HEADER_FORMAT),
            "code_header": workbook.add_format({"bold": True, "border": 1}),
            "date": workbook.add_format({"num_format": DATE_FORMAT}),
            "rupiah": workbook.add_format({"num_format": RUPIAH_FORMAT}),
            "decimal": workbook.add_format({"num_format": "0.0#"}),
            "text": workbook.add_format({"num_format": "@"}),
            "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
            "title_wrap": workbook.add_format(
                {"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"}
            ),
        }
        self.ranges: dict[str, str] = {}

    def write(self) -> None:
        """Sheets in the order the operator meets them; the code sheet last and hidden."""
        instructions = self.wb.add_worksheet(INSTRUCTION_SHEET)
        data_sheets = [(s, self.wb.add_worksheet(s.name)) for s in self.sheets]
        kode = self.wb.add_worksheet(KODE_SHEET)
        self._write_codes(kode)
        self._write_instructions(instructions)
        for spec, worksheet in data_sheets:
            self._write_data_sheet(spec, worksheet)
        instructions.activate()
        kode.hide()

    def _write_codes(self, ws: Any) -> None:
        from xlsxwriter.utility import xl_col_to_name

        used = {c.code_list for s in self.sheets for c in s.columns if c.code_list}
        used.add(YN_CODE_LIST)
        lists = load_code_lists()
        for col, name in enumerate(sorted(used)):
            codes = lists[name]
            ws.write_string(0, col, name, self.fmt["code_header"])
            for row, code in enumerate(codes, start=1):
                ws.write_string(row, col, code.code)
            letter = xl_col_to_name(col)
            self.ranges[name] = f"={KODE_SHEET}!${letter}$2:${letter}${len(codes) + 1}"
        ws.protect()

    def _write_instructions(self, ws: Any) -> None:
        # Regression (issue #15 item 3): the text was cut at the right edge and the code list
        # overprinted itself: a column format does not wrap cells written without one, so every
        # line carries the wrap format. Landscape like the data sheets: one orientation to print.
        ws.set_column(0, 0, INSTRUCTION_WIDTH, self.fmt["wrap"])
        ws.set_paper(A4)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.hide_gridlines(2)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        lines = instruction_lines(
            self.bapas, self.target.kind, self.target.label, self.target.deadline, self.sheets
        )
        ws.print_area(0, 0, len(lines) - 1, 0)
        ws.write_string(0, 0, lines[0], self.fmt["title_wrap"])
        ws.set_row(0, 24 * wrapped_lines(lines[0], INSTRUCTION_WIDTH * 3 // 4))
        for row, line in enumerate(lines[1:], start=1):
            # LibreOffice keeps the default height of a row Excel would grow: the wrapped lines
            # overprinted the next row. The height is set from the text, generously.
            ws.set_row(row, LINE_HEIGHT * wrapped_lines(line, INSTRUCTION_WIDTH))
            ws.write_string(row, 0, line, self.fmt["wrap"])

    def _write_data_sheet(self, spec: SheetSpec, ws: Any) -> None:
        last_row = data_rows(spec)[1] - 1
        for col, column in enumerate(spec.columns):
            ws.set_column(col, col, column_width(column), self._cell_format(column))
            ws.write_string(LABEL_ROW, col, column.label_id, self.fmt["label"])
            ws.write_comment(LABEL_ROW, col, comment(column), {"x_scale": 2.5, "y_scale": 1.5})
            ws.write_string(HEADER_ROW, col, column.name, self.fmt["header"])
            validation = self._validation(spec, column)
            if validation is not None:
                ws.data_validation(FIRST_DATA_ROW, col, last_row, col, validation)
        # Two lines: the longest labels wrap once in the narrowest columns.
        ws.set_row(LABEL_ROW, 30)
        ws.freeze_panes(FIRST_DATA_ROW, 0)
        print_setup(ws, len(spec.columns), last_row)
        if spec.name == "IDENTITAS":
            self._prefill_identity(spec, ws)

    def _prefill_identity(self, spec: SheetSpec, ws: Any) -> None:
        values: dict[str, Any] = {"kode_bapas": self.bapas.kode_bapas, "versi": self.versi}
        if self.target.kind.period_type == "period":
            values[self.target.kind.period_column] = self.target.label
        else:
            values[self.target.kind.period_column] = int(self.target.label)
        for col, column in enumerate(spec.columns):
            value = values.get(column.name)
            if isinstance(value, str):
                ws.write_string(FIRST_DATA_ROW, col, value, self.fmt["text"])
            elif value is not None:
                ws.write_number(FIRST_DATA_ROW, col, value)
            elif column.type == "date":
                ws.write_blank(FIRST_DATA_ROW, col, None, self.fmt["date"])

    def _cell_format(self, column: ColumnSpec) -> Any:
        # Text format on identifiers keeps leading zeros of NIKs and register numbers.
        text_types = ("text", "nik", "period", "codes")
        return self.fmt.get("text" if column.type in text_types else column.type)

    def _validation(self, spec: SheetSpec, column: ColumnSpec) -> dict[str, Any] | None:
        """Excel data validation for one column, or None for free text."""
        referenced = REFERENCES.get((spec.name, column.name))
        if referenced is not None:
            return self._reference(column, *referenced)
        listed = column.type in ("code", "yn")
        return column_validation(
            column, self.ranges[column.code_list or YN_CODE_LIST] if listed else None
        )

    def _reference(self, column: ColumnSpec, sheet: str, key: str) -> dict[str, Any] | None:
        """Dropdown of `sheet`'s `key` cells; None when that sheet is not in this template."""
        from xlsxwriter.utility import xl_col_to_name

        spec = next((s for s in self.sheets if s.name == sheet), None)
        if spec is None:
            return None
        letter = xl_col_to_name([c.name for c in spec.columns].index(key))
        first, last = data_rows(spec)
        return reference_validation(column, sheet, letter, first, last)


def data_rows(spec: SheetSpec) -> tuple[int, int]:
    """1-based first and last row of `spec` covered by validations (and read by dropdowns)."""
    count = 1 if spec.single_row else VALIDATED_ROWS.get(spec.name, DEFAULT_VALIDATED_ROWS)
    return FIRST_DATA_ROW + 1, FIRST_DATA_ROW + count

"""Excel template a Bapas operator fills in, generated from the contract and reference seeds.

Every header, dropdown and range comes from contract.yaml and ref_codes.csv, so the template can
never drift from what ingestion accepts. Output is byte-for-byte deterministic for one input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.contract.doc_text import instruction_lines
from core.contract.model import ColumnSpec, ReportKindSpec, SheetSpec, load_contract
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
# Bounds used when the contract gives none, so Excel still refuses text in number cells.
INT_BOUNDS = (-2_147_483_648, 2_147_483_647)
NUMBER_BOUNDS = (-1e15, 1e15)
DATE_BOUNDS = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
DATE_FORMAT = "dd/mm/yyyy"
RUPIAH_FORMAT = '"Rp "#,##0'
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
YEAR_RE = re.compile(r"^\d{4}$")
# Plausible reporting years; also the bounds of the Excel validation on `year` cells.
YEAR_RANGE = (2000, 2100)


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
    if match := PERIOD_RE.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        period_type = "period"
    elif YEAR_RE.match(text):
        year, month, period_type = int(text), 0, "year"
    else:
        raise TemplateError(
            f"period {text!r} is neither a month YYYY-MM (e.g. 2025-03) nor a year YYYY (e.g. 2025)"
        )
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise TemplateError(f"year {year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    if month:
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
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
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "date": workbook.add_format({"num_format": DATE_FORMAT}),
            "rupiah": workbook.add_format({"num_format": RUPIAH_FORMAT}),
            "decimal": workbook.add_format({"num_format": "0.0#"}),
            "text": workbook.add_format({"num_format": "@"}),
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
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
            ws.write_string(0, col, name, self.fmt["header"])
            for row, code in enumerate(codes, start=1):
                ws.write_string(row, col, code.code)
            letter = xl_col_to_name(col)
            self.ranges[name] = f"={KODE_SHEET}!${letter}$2:${letter}${len(codes) + 1}"
        ws.protect()

    def _write_instructions(self, ws: Any) -> None:
        ws.set_column(0, 0, 110, self.fmt["wrap"])
        # Printed on A4 portrait, one page wide: the wrapped text was cut at the right edge.
        ws.set_paper(A4)
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        lines = instruction_lines(
            self.bapas, self.target.kind, self.target.label, self.target.deadline, self.sheets
        )
        ws.write_string(0, 0, lines[0], self.fmt["title"])
        for row, line in enumerate(lines[1:], start=1):
            ws.write_string(row, 0, line)

    def _write_data_sheet(self, spec: SheetSpec, ws: Any) -> None:
        last_row = 1 if spec.single_row else VALIDATED_ROWS.get(spec.name, DEFAULT_VALIDATED_ROWS)
        for col, column in enumerate(spec.columns):
            fmt = self._cell_format(column)
            ws.set_column(col, col, max(14, len(column.name) + 4), fmt)
            ws.write_string(0, col, column.name, self.fmt["header"])
            ws.write_comment(0, col, _comment(column), {"x_scale": 2.5, "y_scale": 1.5})
            validation = self._validation(column)
            if validation is not None:
                ws.data_validation(1, col, last_row, col, validation)
        ws.freeze_panes(1, 0)
        _print_setup(ws, len(spec.columns))
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
                ws.write_string(1, col, value, self.fmt["text"])
            elif value is not None:
                ws.write_number(1, col, value)
            elif column.type == "date":
                ws.write_blank(1, col, None, self.fmt["date"])

    def _cell_format(self, column: ColumnSpec) -> Any:
        # Text format on identifiers keeps leading zeros of NIKs and register numbers.
        text_types = ("text", "nik", "period", "codes")
        return self.fmt.get("text" if column.type in text_types else column.type)

    def _validation(self, column: ColumnSpec) -> dict[str, Any] | None:
        """Excel data validation for one column, or None for free text."""
        kind = column.type
        if kind in ("code", "yn"):
            source = self.ranges[column.code_list or YN_CODE_LIST]
            return {
                "validate": "list",
                "source": source,
                "error_title": "Kode tidak dikenal",
                "error_message": f"Pilih kode dari daftar ({column.name}).",
            }
        if kind == "codes":
            codes = ";".join(c.code for c in load_code_lists()[column.code_list or ""])
            return {
                "validate": "any",
                "input_title": "Kode, pisahkan dengan ;",
                "input_message": codes[:255],
            }
        if kind in ("integer", "year"):
            low, high = YEAR_RANGE if kind == "year" else INT_BOUNDS
            return _range_validation("integer", column, low, high)
        if kind in ("decimal", "rupiah"):
            return _range_validation("decimal", column, *NUMBER_BOUNDS)
        if kind == "date":
            return {
                "validate": "date",
                "criteria": "between",
                "minimum": DATE_BOUNDS[0],
                "maximum": DATE_BOUNDS[1],
                "error_title": "Tanggal tidak valid",
                "error_message": "Isi tanggal dengan format dd/mm/yyyy.",
            }
        if kind == "nik":
            # A warning, not a stop: a wrong NIK is a quality finding, not a reason to block typing.
            return {
                "validate": "length",
                "criteria": "==",
                "value": 16,
                "error_type": "warning",
                "error_title": "NIK 16 digit",
                "error_message": "NIK harus 16 digit angka.",
            }
        return None


A4 = 9  # Excel paper code


def _print_setup(ws: Any, columns: int) -> None:
    """A4 landscape, every column on one page width, header row repeated on each page.

    Regression (issue #15 item 3): LibreOffice printed the data sheets 3-4 columns per page.
    """
    ws.set_paper(A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, 0, max(columns - 1, 0))
    ws.hide_gridlines(0)


def _number_text(value: float) -> str:
    """1000000 -> '1.000.000', 0.5 -> '0,5' (Indonesian separators)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,}".replace(",", "_").replace(".", ",").replace("_", ".")


def _range_message(column: ColumnSpec, validate: str) -> str:
    """What to type, in the clerk's words; only bounds the contract sets are named.

    Regression (issue #15 item 3): messages read "antara 1 dan 2147483647" or "antara 0.0 dan
    1000000000000000.0", the technical limits of the cell type.
    """
    what = "angka bulat" if validate == "integer" else "angka"
    low, high = column.min, column.max
    if low is not None and high is not None:
        return f"{column.name}: isi {what} dari {_number_text(low)} sampai {_number_text(high)}."
    if low is not None:
        return f"{column.name}: isi {what} {_number_text(low)} atau lebih."
    if high is not None:
        return f"{column.name}: isi {what} paling banyak {_number_text(high)}."
    return f"{column.name}: isi {what} saja, tanpa huruf."


def _range_validation(validate: str, column: ColumnSpec, low: float, high: float) -> dict[str, Any]:
    """Whole-number or decimal validation bounded by the contract's min/max where given."""
    minimum = low if column.min is None else column.min
    maximum = high if column.max is None else column.max
    if validate == "integer":
        minimum, maximum = int(minimum), int(maximum)
    return {
        "validate": validate,
        "criteria": "between",
        "minimum": minimum,
        "maximum": maximum,
        "error_title": "Angka tidak valid",
        "error_message": _range_message(column, validate),
    }


def _comment(column: ColumnSpec) -> str:
    """Header note: Indonesian description first, English second, then what is allowed."""
    parts = [column.description_id, f"({column.description_en})"]
    if column.code_list:
        parts.append(f"Kode: daftar '{column.code_list}'.")
    if column.pii != "none":
        parts.append("Data pribadi: dilindungi, tidak disimpan apa adanya di gudang data.")
    if not column.required or column.nullable:
        parts.append("Boleh dikosongkan.")
    return "\n".join(parts)

"""How one file is rendered: clean, or with the messy-but-valid variations senders produce."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from synthetic.dates import excel_serial

# Variation names (recorded in the manifest's "messy" list; documented in docs/generator.md).
DATES_SERIAL = "dates_excel_serial"
DATES_TEXT = "dates_text_ddmmyyyy"
RUPIAH_RP = "rupiah_text_rp"
RUPIAH_DECIMAL = "rupiah_text_decimal_comma"
NIK_NUMBER = "nik_numeric_cell"
NIK_SPACES = "nik_with_spaces"
TRAILING_BLANK = "trailing_blank_rows"
TITLE_ROWS = "header_not_on_row_1"
SHEET_NAMES = "sheet_names_variant"
COLUMN_NAMES = "column_names_variant"
CSV_CP1252 = "csv_windows_1252"
CSV_BOM = "csv_utf8_bom"
LIBREOFFICE = "libreoffice_saved"


@dataclass(frozen=True)
class Style:
    """Rendering choices for one file; the default is the clean template layout."""

    variations: tuple[str, ...] = ()
    sheet_names: dict[str, str] = field(default_factory=dict)
    column_names: dict[tuple[str, str], str] = field(default_factory=dict)
    title_rows: int = 0
    blank_rows: int = 0
    encoding: str = "utf-8"

    def has(self, variation: str) -> bool:
        """True when the file uses a variation."""
        return variation in self.variations

    def sheet_name(self, sheet: str) -> str:
        """Name the sheet (or CSV file stem) is written under."""
        return self.sheet_names.get(sheet, sheet)

    def column_name(self, sheet: str, column: str) -> str:
        """Header text written for a column."""
        return self.column_names.get((sheet, column), column)


CLEAN = Style()


def rupiah_text(value: float, decimal_comma: bool) -> str:
    """1500000 -> 'Rp 1.500.000' or '1.500.000,00' (Indonesian thousands dots)."""
    whole = f"{round(value):,}".replace(",", ".")
    return f"{whole},00" if decimal_comma else f"Rp {whole}"


def nik_spaced(nik: str) -> str:
    """'3501012345670001' -> '3501 0123 4567 0001'."""
    return " ".join(nik[i : i + 4] for i in range(0, len(nik), 4))


def date_text(value: dt.date) -> str:
    """dd/mm/yyyy as typed by hand."""
    return value.strftime("%d/%m/%Y")


def date_value(value: object, style: Style, for_csv: bool) -> object:
    """A date rendered per style: date object (xlsx), serial number, or text."""
    if not isinstance(value, dt.date):
        return value
    if style.has(DATES_TEXT):
        return date_text(value)
    if style.has(DATES_SERIAL) and not for_csv:
        return excel_serial(value)
    return value.isoformat() if for_csv else value


def rupiah_value(value: object, style: Style) -> object:
    """A Rupiah amount rendered per style."""
    if not isinstance(value, int | float):
        return value
    if style.has(RUPIAH_RP):
        return rupiah_text(value, decimal_comma=False)
    if style.has(RUPIAH_DECIMAL):
        return rupiah_text(value, decimal_comma=True)
    return value


def nik_value(value: object, style: Style, for_csv: bool) -> object:
    """A NIK rendered per style: text, a number cell, or spaced groups."""
    if not isinstance(value, str):
        return value
    if style.has(NIK_SPACES):
        return nik_spaced(value)
    if style.has(NIK_NUMBER) and not for_csv and value.isdigit():
        return int(value)
    return value

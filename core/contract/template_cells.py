"""Cell-level pieces of the Excel template: validations, messages, header notes, print setup.

Kept apart from `template.py` (which lays out sheets) so the wording a clerk meets in Excel's
pop-ups can be read and changed in one place. Every message here is Bahasa Indonesia.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.contract.model import ColumnSpec
from core.reference import load_code_lists

# Bounds used when the contract gives none, so Excel still refuses text in number cells.
INT_BOUNDS = (-2_147_483_648, 2_147_483_647)
NUMBER_BOUNDS = (-1e15, 1e15)
DATE_BOUNDS = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
# Plausible reporting years; also the bounds of the Excel validation on `year` cells.
YEAR_RANGE = (2000, 2100)
A4 = 9  # Excel paper code
# The two header rows every data sheet prints on each page: Bahasa label, machine name.
HEADER_ROWS = 2
# Row 1, for people: bold on the template's blue, wrapping in narrow columns.
LABEL_FORMAT = {
    "bold": True,
    "bg_color": "#D9E1F2",
    "border": 1,
    "text_wrap": True,
    "valign": "top",
}
# Row 2, for the parser: small grey type, there to be left alone.
MACHINE_HEADER_FORMAT = {
    "font_size": 9,
    "font_color": "#404040",
    "bg_color": "#F2F2F2",
    "border": 1,
}
# Minimum column width (characters) by type: a 16-digit NIK or a date must show whole.
MIN_WIDTH = {"nik": 19, "date": 12, "codes": 18, "text": 14, "period": 11}
DEFAULT_MIN_WIDTH = 11
# The machine header is printed at 9 pt beside the 11 pt labels, so it needs fewer characters.
MACHINE_FONT_RATIO = 0.85


def print_setup(ws: Any, columns: int, last_row: int) -> None:
    """A4 landscape, every column on one page width, both header rows repeated on each page.

    Regression (issue #15 item 3): LibreOffice printed the data sheets 3-4 columns per page.
    The print area runs to the last row the template validates (`last_row`, 0-based), so a
    filled sheet prints all its rows; LibreOffice and Excel skip the empty pages, so a blank one
    prints only its two header rows. (Whole columns, `$A:$O`, are lost by openpyxl.)
    """
    ws.set_paper(A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, HEADER_ROWS - 1)
    ws.print_area(0, 0, last_row, max(columns - 1, 0))
    ws.hide_gridlines(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def wrapped_lines(text: str, width: int) -> int:
    """Lines `text` takes in a wrapping cell `width` characters wide (word wrap, rounded up).

    Proportional text is narrower than the '0' the width is measured in, so this errs on the
    side of one spare line rather than an overprinted one.
    """
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def column_width(column: ColumnSpec) -> float:
    """Wide enough for the machine name on one line; the label row wraps."""
    return max(
        MIN_WIDTH.get(column.type, DEFAULT_MIN_WIDTH),
        round(len(column.name) * MACHINE_FONT_RATIO) + 3,
    )


def number_text(value: float) -> str:
    """1000000 -> '1.000.000', 0.5 -> '0,5' (Indonesian separators)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,}".replace(",", "_").replace(".", ",").replace("_", ".")


def range_message(column: ColumnSpec, validate: str) -> str:
    """What to type, in the clerk's words; only bounds the contract sets are named.

    Regression (issue #15 item 3): messages read "antara 1 dan 2147483647" or "antara 0.0 dan
    1000000000000000.0", the technical limits of the cell type.
    """
    what = "angka bulat" if validate == "integer" else "angka"
    low, high = column.min, column.max
    name = column.label_id
    if low is not None and high is not None:
        return f"{name}: isi {what} dari {number_text(low)} sampai {number_text(high)}."
    if low is not None:
        return f"{name}: isi {what} {number_text(low)} atau lebih."
    if high is not None:
        return f"{name}: isi {what} paling banyak {number_text(high)}."
    return f"{name}: isi {what} saja, tanpa huruf."


def range_validation(validate: str, column: ColumnSpec, low: float, high: float) -> dict[str, Any]:
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
        "error_message": range_message(column, validate),
    }


def column_validation(column: ColumnSpec, code_range: str | None) -> dict[str, Any] | None:
    """Excel data validation for one column by its type, or None for free text.

    `code_range` is the KODE sheet range of a code or Y/N column's list.
    """
    kind = column.type
    if kind in ("code", "yn"):
        return {
            "validate": "list",
            "source": code_range,
            "error_title": "Kode tidak dikenal",
            "error_message": f"{column.label_id}: pilih kode dari daftar.",
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
        return range_validation("integer", column, low, high)
    if kind in ("decimal", "rupiah"):
        return range_validation("decimal", column, *NUMBER_BOUNDS)
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


def reference_validation(
    column: ColumnSpec, sheet: str, source: str, first: int, last: int
) -> dict[str, Any]:
    """Dropdown of the codes typed in another sheet's key column (1-based rows first..last).

    A warning, not a stop: a clerk may fill KEGIATAN before POKMAS, and a code missing there is
    a quality finding with its own fix, not a reason to block typing.
    """
    return {
        "validate": "list",
        "source": f"={sheet}!${source}${first}:${source}${last}",
        "error_type": "warning",
        "error_title": "Kode belum ada",
        "error_message": (
            f"{column.label_id}: kode ini belum ada di sheet {sheet}. Pilih dari daftar, atau "
            f"isi dulu barisnya di sheet {sheet}."
        )[:255],
    }


def comment(column: ColumnSpec) -> str:
    """Label note: Indonesian description first, English second, then what is allowed."""
    parts = [column.description_id, f"({column.description_en})"]
    parts.append(f"Nama kolom untuk sistem (baris 2, jangan diubah): {column.name}")
    if column.code_list:
        parts.append(f"Kode: daftar '{column.code_list}'.")
    if column.pii != "none":
        parts.append("Data pribadi: dilindungi, tidak disimpan apa adanya di gudang data.")
    if not column.required or column.nullable:
        parts.append("Boleh dikosongkan.")
    return "\n".join(parts)

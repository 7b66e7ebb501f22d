"""What every reader returns: named sheets of raw cell rows, loaded on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import SubmissionError

# Hard limits against hostile input; generous next to a real monthly report (a few MB).
MAX_CELLS_PER_SHEET = 20_000_000
# A genuine workbook with many drawings, comments or pivot caches has over 1,000 parts (one sent
# in 2026-11 had 1,033 and was refused at the old limit of 500); size and ratio limits below are
# what stop bombs, the count only bounds the per-entry work.
MAX_ZIP_ENTRIES = 10_000
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 250
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024

# A reader keeps at most `max_rows_per_sheet` + this many filled rows of a sheet: the header and
# up to 20 title rows above it (validate.HEADER_SCAN_ROWS). The exact count of data rows is
# checked once the header is known (`check_row_limit`); this bound only caps memory.
ROW_SLACK = 21

Rows = list[list[object]]
# Sheets longer than this get their repeated cells shared (`share_repeated`); a real Bapas
# month (at most a few thousand rows a sheet) never pays for the pass.
SHARE_MIN_ROWS = 20_000


def share_repeated(rows: Rows) -> Rows:
    """Make equal text and date cells one object each, in place, and return `rows`.

    Codes, Y/N and dates repeat on every row, but a reader creates one Python object per cell:
    sharing them cuts a long sheet's memory by about a third (issue #11 item 7).
    """
    if len(rows) < SHARE_MIN_ROWS:
        return rows
    memo: dict[object, object] = {}
    shared = (str, dt.datetime, dt.date)
    for row in rows:
        for index, cell in enumerate(row):
            if cell.__class__ in shared:
                row[index] = memo.setdefault(cell, cell)
    return rows


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def too_many_rows(sheet: str, rows: int, limit: int, *, at_least: bool = False) -> SubmissionError:
    """A sheet holds more data rows than LIPAS_MAX_ROWS_PER_SHEET (issue #11 item 7).

    No real Bapas month comes near the limit, so the usual cause is data of several months or
    offices pasted into one sheet, or rows copied down to the bottom of the sheet.
    """
    more_id, more_en = ("lebih dari ", "more than ") if at_least else ("", "")
    return SubmissionError(
        "too_many_rows",
        f"Sheet {sheet} berisi {more_id}{_thousands(rows)} baris data, melebihi batas "
        f"{_thousands(limit)} baris per sheet.",
        f"Sheet {sheet} holds {more_en}{rows:,} data rows, over the limit of {limit:,} rows "
        "per sheet.",
        sheet=sheet,
        hint_id=f"Kirim hanya data satu Bapas untuk satu periode laporan: hapus baris bulan lain, "
        f"baris salinan dan baris yang terisi sampai bawah sheet, lalu kirim ulang. Jika "
        f"datanya memang lebih dari {_thousands(limit)} baris, hubungi Ditjenpas.",
        hint_en=f"Send only one Bapas's data for one reporting period: delete rows of other "
        f"months, copied rows and rows filled down to the bottom of the sheet, then resend. "
        f"If the data really has more than {limit:,} rows, contact Ditjenpas.",
        detail=f"{rows} data rows > LIPAS_MAX_ROWS_PER_SHEET={limit}",
    )


def check_row_limits(
    data_rows: dict[str, int],
    limit: int | None,
    identity: tuple[str | None, str | None, str | None] = (None, None, None),
) -> None:
    """Refuse a file when a located sheet's data rows (header, blank rows excluded) pass `limit`.

    `identity` (report kind, kode_bapas, periode) goes on the rejection so the ledger still
    names the Bapas-month.
    """
    for sheet, count in data_rows.items():
        if limit is not None and count > limit:
            raise too_many_rows(sheet, count, limit).with_identity(*identity)


@dataclass
class RawWorkbook:
    """Sheets of one submission; `load(name)` returns rows, row 0 being spreadsheet row 1.

    `sheet_names` lists the visible sheets only: a hidden sheet is never data (DESIGN §9), it is
    listed in `hidden_sheets` so validation can name it. `formula_cells` maps a sheet to the
    0-based (row, column) of cells holding a formula without a stored value, which readers see
    as blank ((-1, -1) when the file does not say where).
    """

    file_format: str
    sheet_names: list[str]
    loader: Callable[[str], Rows]
    notes: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    formula_cells: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def load(self, name: str) -> Rows:
        """Cells of sheet `name` (as listed in `sheet_names`)."""
        return self.loader(name)

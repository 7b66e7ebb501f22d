"""Day/month order of dates typed as text, decided per column and per file, never guessed silently.

Issue #11 item 8: a CSV exported by LibreOffice in an en-US locale writes dates month/day/year
('6/13/2026', '4/5/25'); read as dd/mm, 1,137 of 3,198 dates were silently swapped and the rest
nulled. The rules:

- a text cell whose first part is over 12 can only be dd/mm, one whose second part is over 12
  only mm/dd: such a cell is always read the only way it can be;
- a column's order is what its unambiguous cells settle (the majority when both appear, and
  then every cell of the minority form is reported: `date_order_conflict`);
- a column whose cells are all ambiguous (both parts 12 or under, e.g. IDENTITAS's one
  tanggal_laporan) takes the order the file's other columns settle, when they agree;
  otherwise dd/mm, the Indonesian order, and ONE issue names the columns so read
  (`date_order_assumed`);
- every column read month/day is named in ONE issue for the file (`date_format_us`): one cause
  (the computer's locale), one finding, and none of the knock-on `invalid_date` issues.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.contract.model import ColumnSpec
from core.errors import RowIssue
from core.redact import redact_value
from ingestion.validate import SheetTable, Structure
from ingestion.values import column_date_order, day_month_parts

US_CODE = "date_format_us"
ASSUMED_CODE = "date_order_assumed"
CONFLICT_CODE = "date_order_conflict"
MAX_CONFLICTS_PER_COLUMN = 500
_ORDER_ID = {"dmy": "hari/bulan/tahun", "mdy": "bulan/hari/tahun"}
_ORDER_EN = {"dmy": "day/month/year", "mdy": "month/day/year"}


@dataclass(frozen=True)
class DateColumn:
    """The day-month-year text cells of one date column and what they settle."""

    table: SheetTable
    spec: ColumnSpec
    only_dmy: np.ndarray
    only_mdy: np.ndarray
    either: np.ndarray

    @property
    def label(self) -> str:
        """'KLIEN.tanggal_lahir'."""
        return f"{self.table.spec.name}.{self.spec.name}"

    @property
    def settled(self) -> str | None:
        """The order the unambiguous cells settle, None when every cell could be either."""
        return column_date_order(self.only_dmy, self.only_mdy)

    def first_position(self) -> int:
        """Position of the first day-month-year text cell."""
        return int(np.flatnonzero(self.only_dmy | self.only_mdy | self.either)[0])


@dataclass(frozen=True)
class DatePlan:
    """Order for the ambiguous cells of each (sheet, column), and the issues to record."""

    orders: dict[tuple[str, str], str]
    issues: list[RowIssue]


def date_column(table: SheetTable, spec: ColumnSpec) -> DateColumn | None:
    """The column's day-month-year text evidence; None when it holds no such text."""
    raw: pd.Series = table.cells[spec.name]
    values = raw.tolist()
    if str not in set(map(type, values)):
        return None  # real date cells or serials: nothing to decide
    text = pd.Series([v.strip() if isinstance(v, str) else "" for v in values], dtype=object)
    first, second, _ = day_month_parts(text)
    only_dmy = ((first > 12) & (second <= 12)).to_numpy()
    only_mdy = ((second > 12) & (first <= 12)).to_numpy()
    either = ((first <= 12) & (second <= 12)).to_numpy()
    if not (only_dmy.any() or only_mdy.any() or either.any()):
        return None
    return DateColumn(table, spec, only_dmy, only_mdy, either)


def _issue(column: DateColumn, position: int, code: str, msg_id: str, msg_en: str) -> RowIssue:
    raw = column.table.cells[column.spec.name].iloc[position]
    return RowIssue(
        sheet=column.table.spec.name,
        row_number=int(column.table.row_numbers[position]),
        column_name=column.spec.name,
        value=redact_value(raw, column.spec.pii),
        issue_code=code,
        message_id=msg_id,
        message_en=msg_en,
    )


def _us_note(columns: list[DateColumn]) -> RowIssue:
    names = ", ".join(c.label for c in columns)
    return _issue(
        columns[0],
        columns[0].first_position(),
        US_CODE,
        f"Tanggal ditulis dengan format bulan/hari/tahun (AS) di kolom {names}; dibaca sebagai "
        "bulan/hari — gunakan dd/mm/yyyy (format sel tanggal sebagai DD/MM/YYYY, atau atur "
        "wilayah/bahasa komputer ke Indonesia sebelum menyimpan CSV).",
        f"Dates are written month/day/year (US format) in column(s) {names}; read as month/day "
        "— use dd/mm/yyyy (format the date cells as DD/MM/YYYY, or set the computer's region "
        "and language to Indonesia before saving the CSV).",
    )


def _assumed_note(columns: list[DateColumn]) -> RowIssue:
    names = ", ".join(c.label for c in columns)
    return _issue(
        columns[0],
        columns[0].first_position(),
        ASSUMED_CODE,
        f"Tanggal di kolom {names} dapat dibaca sebagai hari/bulan maupun bulan/hari (kedua "
        "angka 12 atau kurang); dibaca sebagai hari/bulan/tahun (dd/mm/yyyy). Jika maksudnya "
        "bulan/hari, perbaiki tanggalnya ke format dd/mm/yyyy lalu kirim ulang.",
        f"Dates in column(s) {names} can be read as day/month or as month/day (both numbers "
        "12 or under); read as day/month/year (dd/mm/yyyy). If month/day was meant, correct "
        "them to dd/mm/yyyy and resend.",
    )


def _conflicts(column: DateColumn, order: str) -> list[RowIssue]:
    """Cells that can only be read in the order the rest of the column does not use."""
    other = "mdy" if order == "dmy" else "dmy"
    mask = column.only_mdy if order == "dmy" else column.only_dmy
    return [
        _issue(
            column,
            int(pos),
            CONFLICT_CODE,
            f"Tanggal ini hanya dapat dibaca sebagai {_ORDER_ID[other]}, sedangkan tanggal lain "
            f"di kolom ini ditulis {_ORDER_ID[order]}; dibaca sebagai {_ORDER_ID[other]}. "
            "Periksa tanggalnya dan gunakan dd/mm/yyyy.",
            f"This date can only be read as {_ORDER_EN[other]}, while the column's other dates "
            f"are {_ORDER_EN[order]}; read as {_ORDER_EN[other]}. Check it and use dd/mm/yyyy.",
        )
        for pos in np.flatnonzero(mask)[:MAX_CONFLICTS_PER_COLUMN]
    ]


def plan_date_orders(structure: Structure) -> DatePlan:
    """Decide the day/month order of every date column of a file (module docstring)."""
    columns = [
        found
        for table in structure.sheets.values()
        for spec in table.spec.columns
        if spec.type == "date" and spec.name in table.cells.columns
        if (found := date_column(table, spec)) is not None
    ]
    settled = {c.settled for c in columns} - {None}
    file_order = settled.pop() if len(settled) == 1 else None
    orders: dict[tuple[str, str], str] = {}
    us: list[DateColumn] = []
    assumed: list[DateColumn] = []
    issues: list[RowIssue] = []
    for column in columns:
        order = column.settled or file_order or "dmy"
        orders[(column.table.spec.name, column.spec.name)] = order
        if order == "mdy":
            us.append(column)
        elif column.settled is None and file_order is None:
            assumed.append(column)
        issues.extend(_conflicts(column, order))
    notes = ([_us_note(us)] if us else []) + ([_assumed_note(assumed)] if assumed else [])
    return DatePlan(orders, notes + issues)

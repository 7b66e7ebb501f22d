"""Which sheet of a file is the data in force for each contract sheet, and what Excel hid in it.

DESIGN.md §9: only visible sheets are data, and nothing a clerk left in the workbook is dropped
without a word. A file sheet matches a contract sheet by its name or an alias, ignoring case,
spacing and the suffix Excel or LibreOffice gives a copied sheet (`PESERTA (2)`, `PESERTA_2`):

- one visible match: it is read (named in the notes when it carries a copy suffix);
- several visible matches: the one with data rows is read and the empty copies are noted; two or
  more with data reject the file (`duplicate_sheet`), because either choice could be the wrong
  list and adding them up could double-count;
- hidden or very hidden matches are never read: noted, and when no visible match exists a
  required sheet is `missing_sheet` with a message telling the clerk to unhide it;
- a visible sheet that matches no contract sheet and holds data is noted by position (its name
  is free text a clerk typed, so it is not copied into the ledger).

Formulas without a stored value (a workbook written by a program that does not calculate) read
as blank cells; `formula_findings` turns them into a rejection (IDENTITAS, key columns) or
row issues that name the cause and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from core.contract.model import ReportKindSpec, SheetSpec, normalise_name
from core.contract.template import INSTRUCTION_SHEET, KODE_SHEET
from core.errors import RowIssue, SubmissionError
from ingestion.readers.base import RawWorkbook, Rows

# " (2)" is Excel's name for a copied sheet, "_2" LibreOffice's; " 2" a clerk's.
COPY_SUFFIX = re.compile(r"(?:\s*\(\d{1,3}\)|[\s_]+\d{1,3})\s*$")
# The template's instruction and dropdown-list sheets: never data, never worth a note.
TEMPLATE_SHEETS = frozenset(normalise_name(n) for n in (INSTRUCTION_SHEET, KODE_SHEET))
HEADER_SCAN_ROWS = 20
MAX_ROWS_NAMED = 5
# Same cap as transform's parse issues: one systematic column must not flood the ledger.
MAX_ISSUES_PER_COLUMN = 500


def sheet_key(name: str) -> str:
    """Normalised sheet name without a copy suffix: 'Peserta (2)' -> 'peserta'."""
    return normalise_name(COPY_SUFFIX.sub("", str(name)))


def _matches(names: Iterable[str], spec: SheetSpec) -> list[str]:
    accepted = spec.accepted_names()
    return [n for n in names if normalise_name(n) in accepted or sheet_key(n) in accepted]


def _is_copy_name(name: str, spec: SheetSpec) -> bool:
    return normalise_name(name) not in spec.accepted_names()


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and value != value


@lru_cache(maxsize=8192)
def header_name(text: str) -> str:
    """`normalise_name` of a text cell, cached: titles and headers repeat in every file.

    Only text cells reach it (no contract name is a number); before, every number and date
    cell of each sheet's first 20 rows went through the regex uncached (issue 16).
    """
    return normalise_name(text)


def find_header(
    rows: Rows, lookup: Mapping[str, str], normalise: Callable[[str], str] = header_name
) -> tuple[int, int]:
    """(0-based index, columns named) of the header: the row of the first 20 naming most columns.

    A tie goes to the row spelling more names exactly as the contract does: the template prints
    a Bahasa label row ("No. register") above the machine header (`no_register`), and labels are
    accepted names too, so both rows name every column; the lower, exact one is the header.
    Otherwise the earlier row wins. (0, 0) when no row names a column. Only text cells can
    name a column (no contract name is a number), so numbers and dates are not looked at.
    """
    best, best_score = 0, (0, 0)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, bool] = {}
        for cell in row:
            if not isinstance(cell, str) or not cell:
                continue
            name = lookup.get(normalise(cell))
            if name is not None:
                exact = cell.strip() == name
                found[name] = found.get(name, False) or exact
        score = (len(found), sum(found.values()))
        if score > best_score:
            best, best_score = index, score
    return best, best_score[0]


def has_data_rows(rows: Rows, spec: SheetSpec) -> bool:
    """True when a row below the sheet's header row holds any value.

    The header row is `find_header`'s; a sheet without one has data when any cell is filled.
    An Excel copy of an empty template sheet (label and header rows only) has no data rows.
    """
    lookup = {n: col.name for col in spec.columns for n in col.accepted_names()}
    index, named = find_header(rows, lookup)
    start = index + 1 if named else 0
    return any(not _blank(c) for row in rows[start:] for c in row)


@dataclass(frozen=True)
class SheetChoice:
    """The visible sheet read for one contract sheet, and what else in the file matched it."""

    spec: SheetSpec
    source: str | None
    rivals: tuple[str, ...] = ()  # two or more visible sheets with data: the file is refused
    hidden: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def choose_sheet(book: RawWorkbook, spec: SheetSpec) -> SheetChoice:
    """The sheet holding `spec` (see the module docstring for the rules)."""
    visible = _matches(book.sheet_names, spec)
    hidden = tuple(_matches(book.hidden_sheets, spec))
    # Noted even without a visible match: an optional sheet (GRIYA_ABHIPRAYA) left hidden is
    # not read, and the clerk must hear so; a required one is refused by `hidden_sheet`.
    notes = [f"sheet '{h}' tersembunyi diabaikan / hidden sheet '{h}' ignored" for h in hidden]
    if not visible:
        return SheetChoice(spec, None, hidden=hidden, notes=tuple(notes))
    source = visible[0]
    if len(visible) > 1:
        filled = [n for n in visible if has_data_rows(book.load(n), spec)]
        if len(filled) > 1:
            return SheetChoice(spec, None, rivals=tuple(filled), hidden=hidden)
        exact = [n for n in visible if not _is_copy_name(n, spec)]
        source = filled[0] if filled else (exact or visible)[0]
        notes += [
            f"sheet '{n}' kosong diabaikan / empty sheet '{n}' ignored ({spec.name} dibaca dari "
            f"/ read from '{source}')"
            for n in visible
            if n != source
        ]
    if _is_copy_name(source, spec):
        notes.append(f"sheet '{source}' dibaca sebagai / read as {spec.name}")
    return SheetChoice(spec, source, hidden=hidden, notes=tuple(notes))


def duplicate_sheet(spec: SheetSpec, names: tuple[str, ...]) -> SubmissionError:
    """Two visible sheets with data for one contract sheet: which one is meant is not ours."""
    listed = " dan ".join(f"'{n}'" for n in names)
    listed_en = " and ".join(f"'{n}'" for n in names)
    count = {2: "dua", 3: "tiga"}.get(len(names), str(len(names)))
    return SubmissionError(
        "duplicate_sheet",
        f"Ada {count} sheet berisi data untuk {spec.name}: {listed}; tidak jelas mana yang "
        "berlaku.",
        f"There are {len(names)} sheets with data for {spec.name}: {listed_en}; it is not clear "
        "which one holds the report.",
        sheet=names[1],
        hint_id=f"Gabungkan isinya ke satu sheet '{spec.name}' dan hapus sheet lainnya, lalu "
        "kirim ulang.",
        hint_en=f"Merge them into one sheet '{spec.name}', delete the other(s) and resend.",
    )


def hidden_sheet(spec: SheetSpec, hidden: tuple[str, ...]) -> SubmissionError:
    """The only sheet matching `spec` is hidden: a hidden sheet is never the data in force."""
    return SubmissionError(
        "missing_sheet",
        f"Sheet wajib '{spec.name}' hanya ada sebagai sheet tersembunyi ('{hidden[0]}').",
        f"Required sheet '{spec.name}' exists only as a hidden sheet ('{hidden[0]}').",
        sheet=hidden[0],
        hint_id=f"Tampilkan (unhide) sheet '{hidden[0]}' (klik kanan tab sheet > Tampilkan), "
        "periksa isinya, lalu kirim ulang.",
        hint_en=f"Unhide sheet '{hidden[0]}' (right-click a sheet tab > Unhide), check it and "
        "resend.",
    )


def unknown_sheet_notes(book: RawWorkbook, kind: ReportKindSpec) -> list[str]:
    """A note for every visible non-contract sheet holding data (by position, not by name)."""
    known = {n for spec in kind.sheets for n in spec.accepted_names()}
    notes = []
    for position, name in enumerate(book.sheet_names, start=1):
        key = normalise_name(name)
        if key in known or sheet_key(name) in known or key in TEMPLATE_SHEETS:
            continue
        if any(not _blank(c) for row in book.load(name) for c in row):
            notes.append(
                f"sheet ke-{position} bukan sheet laporan dan berisi data, diabaikan / "
                f"sheet no. {position} is not a report sheet and holds data, ignored"
            )
    return notes


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_NAMED])
    return shown + (f", ... (+{len(rows) - MAX_ROWS_NAMED})" if len(rows) > MAX_ROWS_NAMED else "")


FORMULA_HINT_ID = (
    "Buka berkas di Excel/LibreOffice lalu simpan ulang (rumus akan dihitung), atau ganti rumus "
    "dengan nilainya (Salin > Tempel Spesial > Nilai), lalu kirim ulang."
)
FORMULA_HINT_EN = (
    "Open the file in Excel/LibreOffice and save it again (formulas get calculated), or replace "
    "the formulas by their values (Copy > Paste Special > Values), then resend."
)


def formula_findings(
    spec: SheetSpec,
    source: str,
    header_row: int,
    positions: dict[str, int],
    cells: list[tuple[int, int]],
) -> tuple[list[RowIssue], list[str]]:
    """Row issues and notes for formula cells without value under the header row.

    Raises:
        SubmissionError: `formula_no_value` when such a cell is in a one-row sheet (IDENTITAS:
            the identity itself would be read blank) or in a key column (rows would lose the
            key that joins them).
    """
    by_position = {pos: name for name, pos in positions.items()}
    gaps: dict[str, list[int]] = {}
    for row, col in cells:
        if row >= header_row and col in by_position:
            gaps.setdefault(by_position[col], []).append(row + 1)
    notes = []
    if any(row < 0 for row, _ in cells):
        notes.append(
            f"{spec.name}: rumus tanpa nilai / formulas without value (lokasi tak dikenal)"
        )
    for column, rows in gaps.items():
        if spec.single_row or column in spec.key:
            raise SubmissionError(
                "formula_no_value",
                f"Sheet {spec.name} kolom {column}: {len(rows)} sel berisi rumus tanpa nilai "
                f"tersimpan (baris {_rows_text(rows)}).",
                f"Sheet {spec.name} column {column}: {len(rows)} cell(s) hold a formula without "
                f"a stored value (rows {_rows_text(rows)}).",
                sheet=source,
                row=rows[0],
                column=column,
                hint_id=FORMULA_HINT_ID,
                hint_en=FORMULA_HINT_EN,
            )
    # One issue per cell (capped like parse issues): the quality layer groups a column's issues
    # into one finding whose count and rows are then right; every one names the cause and fix.
    issues = [
        RowIssue(
            sheet=spec.name,
            row_number=row,
            column_name=column,
            value=None,
            issue_code="formula_no_value",
            message_id=f"Sel berisi rumus tanpa nilai tersimpan ({len(rows)} sel di kolom ini, "
            f"baris {_rows_text(rows)}); disimpan kosong (NULL). {FORMULA_HINT_ID}",
            message_en=f"The cell holds a formula without a stored value ({len(rows)} cell(s) in "
            f"this column, rows {_rows_text(rows)}); stored as empty (NULL). {FORMULA_HINT_EN}",
        )
        for column, rows in gaps.items()
        for row in rows[:MAX_ISSUES_PER_COLUMN]
    ]
    return issues, notes

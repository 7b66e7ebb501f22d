"""Structural validation: find sheets, header rows and columns, and the submission's identity.

Only structural problems raise (and reject the file); cell-level problems are the parsers' and
the quality layer's business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import zip_longest

import numpy as np
import pandas as pd

from core import reference
from core.contract.model import ReportKindSpec, SheetSpec, load_contract
from core.errors import RowIssue, SubmissionError
from core.period import PERIOD_PATTERN, period_bounds
from ingestion.readers.base import RawWorkbook, Rows
from ingestion.sheets import (
    choose_sheet,
    duplicate_sheet,
    formula_findings,
    header_name,
    hidden_sheet,
    unknown_sheet_notes,
)
from ingestion.sheets import (
    find_header as sheet_header,
)
from ingestion.values import PARSERS, parse_period, parse_year

HEADER_SCAN_ROWS = 20


@dataclass(frozen=True)
class SheetTable:
    """One contract sheet located in the file: raw cells per contract column."""

    spec: SheetSpec
    source_name: str
    header_row: int  # 1-based row number as the sender sees it
    cells: pd.DataFrame  # columns = contract column names present, object dtype, data rows only
    row_numbers: np.ndarray
    ignored_columns: tuple[str, ...]
    positions: tuple[tuple[str, int], ...] = ()  # contract column -> 0-based column in the sheet


@dataclass(frozen=True)
class Structure:
    """A structurally valid submission, ready to be parsed column by column."""

    kind: ReportKindSpec
    kode_bapas: str
    period: str
    period_start: dt.date
    period_end: dt.date
    sheets: dict[str, SheetTable]
    notes: list[str] = field(default_factory=list)
    versi: int | None = None  # IDENTITAS `versi`; None when blank or unreadable
    # Findings about the file rather than one cell (formulas without value), one per column.
    issues: list[RowIssue] = field(default_factory=list)


def _match_sheets(book: RawWorkbook, kind: ReportKindSpec) -> dict[str, str]:
    """Contract sheet name -> visible sheet in the file holding it (`sheets.choose_sheet`).

    Never raises: two sheets with data for one contract sheet are refused by _check_structure,
    once the identity is known, so the rejection still names the Bapas-month.
    """
    found: dict[str, str] = {}
    for spec in kind.sheets:
        choice = choose_sheet(book, spec)
        source = choice.source or (choice.rivals[0] if choice.rivals else None)
        if source is not None:
            found[spec.name] = source
    return found


def _column_lookup(spec: SheetSpec) -> dict[str, str]:
    return {alias: col.name for col in spec.columns for alias in col.accepted_names()}


def _normalised(cell: object) -> str:
    # Only text can name a column; header_name caches the texts that repeat in every file.
    return header_name(cell) if cell.__class__ is str else ""


def find_header(rows: Rows, lookup: dict[str, str]) -> int:
    """0-based index of the header row; the template's label row above it is skipped.

    See `sheets.find_header`: the row (within the first 20) naming the most known columns,
    ties to the one spelling the contract's names exactly.
    """
    return sheet_header(rows, lookup)[0]


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB' (spreadsheet column letters, also used for CSV positions)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _is_blank(value: object) -> bool:
    """Empty cell: None, NaN, '' or whitespace only."""
    if value is None:
        return True
    if value.__class__ is str:
        return not value.strip()  # type: ignore[attr-defined]
    return value.__class__ is float and value != value


def _has_data(row: list[object], positions: list[int]) -> bool:
    """True when any contract cell of `row` is filled (see `_is_blank`)."""
    size = len(row)
    for pos in positions:
        if pos < size:
            value = row[pos]
            if value is None or value == "":
                continue
            if not _is_blank(value):
                return True
    return False


def _table(spec: SheetSpec, source: str, rows: Rows, *, strict: bool = True) -> SheetTable:
    """Locate `spec`'s columns in `rows`; a missing required column raises unless not strict."""
    lookup = _column_lookup(spec)
    header_index = find_header(rows, lookup)
    header = rows[header_index] if rows else []
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for pos, cell in enumerate(header):
        if cell in ("", None):
            continue
        name = lookup.get(_normalised(cell))
        if name is None or name in positions:
            # Only the column letter is noted: a header cell may hold anything, even a name.
            ignored.append(column_letter(pos))
        else:
            positions[name] = pos
    missing = [c.name for c in spec.columns if c.required and c.name not in positions]
    if missing and strict:
        first = spec.column(missing[0])
        names = ", ".join(missing)
        raise SubmissionError(
            "missing_column",
            f"Kolom wajib tidak ditemukan di sheet {spec.name}: {names}.",
            f"Required column(s) missing from sheet {spec.name}: {names}.",
            sheet=source,
            row=header_index + 1,
            column=missing[0],
            hint_id=f"Tambahkan kolom '{first.name}' pada baris judul (nama lain yang diterima: "
            f"{', '.join(first.aliases) or '-'}); gunakan templat terbaru.",
            hint_en=f"Add column '{first.name}' to the header row (accepted aliases: "
            f"{', '.join(first.aliases) or '-'}); use the latest template.",
        )
    body = rows[header_index + 1 :]
    # Blank rows are dropped before transposing: a row is kept at its first filled contract cell
    # (usually the first one), so trailing formatted-but-empty rows cost one check per cell.
    order = list(positions.values())
    keep = [i for i, row in enumerate(body) if _has_data(row, order)]
    width = max(order, default=-1) + 1
    kept = [body[i][:width] for i in keep]
    # Transpose once (rows may be ragged in CSVs), keeping only the contract columns.
    columns = list(zip_longest(*kept, fillvalue=None)) if kept else []
    n = len(kept)
    cells = pd.DataFrame(
        {
            name: np.array(columns[pos], dtype=object) if pos < len(columns) else [None] * n
            for name, pos in positions.items()
        },
        index=pd.RangeIndex(n),
        dtype=object,
    )
    row_numbers = np.asarray(keep, dtype=np.int64) + (header_index + 2)
    return SheetTable(
        spec,
        source,
        header_index + 1,
        cells,
        row_numbers,
        tuple(ignored),
        tuple(positions.items()),
    )


def _missing_sheet(spec: SheetSpec, book: RawWorkbook | None = None) -> SubmissionError:
    hidden = choose_sheet(book, spec).hidden if book is not None else ()
    if hidden:
        return hidden_sheet(spec, hidden)
    return SubmissionError(
        "missing_sheet",
        f"Sheet wajib '{spec.name}' tidak ditemukan.",
        f"Required sheet '{spec.name}' is missing.",
        sheet=spec.name,
        hint_id=f"Tambahkan sheet '{spec.name}' (nama lain yang diterima: "
        f"{', '.join(spec.aliases) or '-'}); untuk CSV, berkas {spec.name}.csv.",
        hint_en=f"Add sheet '{spec.name}' (accepted: {', '.join(spec.aliases) or '-'}); "
        f"for CSV, a file {spec.name}.csv.",
    )


def _detect_kind(book: RawWorkbook) -> tuple[ReportKindSpec, SheetTable]:
    """Report kind from the IDENTITAS period column: `periode` = monthly, `tahun` = annual."""
    contract = load_contract()
    best: tuple[ReportKindSpec, SheetTable] | None = None
    first_error: SubmissionError | None = None
    loaded: dict[str, Rows] = {}
    for kind in contract.report_kinds.values():
        identity_spec = kind.sheets[0]
        source = _match_sheets(book, kind).get(identity_spec.name)
        if source is None:
            continue
        if source not in loaded:
            # Every kind names its identity sheet IDENTITAS: read it from the file once.
            loaded[source] = book.load(source)
        rows = loaded[source]
        lookup = _column_lookup(identity_spec)
        header = rows[find_header(rows, lookup)] if rows else []
        if kind.period_column not in {lookup.get(_normalised(c)) for c in header}:
            continue
        try:
            return kind, _table(identity_spec, source, rows)
        except SubmissionError as exc:
            # The kind is known; keep whatever identity the incomplete IDENTITAS still gives.
            bapas, period = _identity_parts(kind, _table(identity_spec, source, rows, strict=False))
            exc.with_identity(kind.kind, bapas.kode_bapas if bapas else None, period)
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    if best is None and not any(
        _match_sheets(book, k).get(k.sheets[0].name) for k in contract.report_kinds.values()
    ):
        raise _missing_sheet(contract.kind("monthly").sheets[0], book)
    # The kind is unknown, but a known Bapas code in IDENTITAS still says who must fix it.
    bapas = None
    for kind in contract.report_kinds.values():
        source = _match_sheets(book, kind).get(kind.sheets[0].name)
        if source is not None and bapas is None:
            rows = loaded[source] if source in loaded else book.load(source)
            lenient = _table(kind.sheets[0], source, rows, strict=False)
            bapas = _identity_parts(kind, lenient)[0]
    raise SubmissionError(
        "missing_column",
        "Sheet IDENTITAS tidak memiliki kolom 'periode' (laporan bulanan) atau 'tahun' "
        "(rencana tahunan).",
        "The IDENTITAS sheet has no 'periode' (monthly report) or 'tahun' (annual plan) column.",
        sheet="IDENTITAS",
        column="periode",
        hint_id="Gunakan templat terbaru dan isi kolom periode dengan format YYYY-MM.",
        hint_en="Use the latest template and fill periode as YYYY-MM.",
    ).with_identity(None, bapas.kode_bapas if bapas else None, None)


def _lookup_bapas(raw: object) -> tuple[str, reference.Bapas | None]:
    """(cleaned code as sent, the Bapas it names by kode_bapas or kode_satker, if any)."""
    code = str(raw if raw is not None else "").strip().upper().replace(" ", "")
    code = code[:-2] if code.endswith(".0") else code
    by_code = reference.bapas_by_code()
    by_satker = {b.kode_satker: b for b in by_code.values() if b.kode_satker}
    return code, by_code.get(code) or by_satker.get(code)


def _read_period(kind: ReportKindSpec, raw: pd.Series) -> str | None:
    value = raw.iloc[0]
    # The template's own 'YYYY-MM' needs no general parser (which costs ~10 ms per call).
    if kind.period_type == "period" and value.__class__ is str and PERIOD_PATTERN.fullmatch(value):
        return value if "2000" <= value[:4] <= "2199" else None
    parser = parse_year if kind.period_type == "year" else parse_period
    parsed = parser(raw).values.to_pylist()[0]
    return None if parsed is None else str(parsed)


def _identity_parts(
    kind: ReportKindSpec, table: SheetTable
) -> tuple[reference.Bapas | None, str | None]:
    """The known Bapas and the readable period of IDENTITAS's first data row (None = unknown)."""
    first = table.cells.iloc[:1]
    if first.empty:
        return None, None
    bapas = _lookup_bapas(first["kode_bapas"].iloc[0])[1] if "kode_bapas" in first else None
    column = kind.period_column
    period = _read_period(kind, first[column]) if column in first else None
    return bapas, period


def _resolve_bapas(raw: object, table: SheetTable) -> reference.Bapas:
    code, found = _lookup_bapas(raw)
    if found is None:
        raise SubmissionError(
            "unknown_bapas",
            f"Kode Bapas '{code[:20]}' tidak dikenal.",
            f"Unknown Bapas code '{code[:20]}'.",
            sheet=table.source_name,
            row=int(table.row_numbers[0]),
            column="kode_bapas",
            value=code[:20],
            hint_id="Isi kode_bapas sesuai daftar Ditjenpas (mis. BP3501).",
            hint_en="Use the kode_bapas from the Ditjenpas list (e.g. BP3501).",
        )
    return found


def _read_versi(raw: object) -> int | None:
    """IDENTITAS `versi` as a whole number >= 1, or None (blank or unreadable: arrival decides)."""
    # PARSERS: the fast path first (a template's 1.0 cost ~10 ms per file in the general one).
    value = PARSERS["integer"](pd.Series([raw], dtype=object)).values.to_pylist()[0]
    # ledger.submissions.versi is INTEGER: a NIK typed here must not crash the ledger insert.
    return int(value) if value is not None and 1 <= value < 2**31 else None


def _row_identity(kind: ReportKindSpec, table: SheetTable, index: int) -> tuple[str, str, str]:
    """(Bapas, period, versi) of one IDENTITAS row as comparable text ('' = blank)."""
    row = table.cells.iloc[index : index + 1]

    def cell(column: str) -> object:
        return row[column].iloc[0] if column in row else None

    code, found = _lookup_bapas(cell("kode_bapas"))
    raw_period = cell(kind.period_column)
    period = "" if _is_blank(raw_period) else _read_period(kind, row[kind.period_column])
    versi = "" if _is_blank(cell("versi")) else str(_read_versi(cell("versi")))
    return (found.kode_bapas if found else code), period or str(raw_period), versi


def _single_identity(kind: ReportKindSpec, table: SheetTable) -> list[str]:
    """Raise when IDENTITAS rows name different submissions; notes for harmless copies.

    Two rows that disagree on Bapas, period or versi leave no way to know which report the
    file is, so it is rejected (the clerk must delete the wrong row); a blank cell in a later
    row names nothing and is not a disagreement.
    """
    if len(table.cells) < 2:
        return []
    identities = [_row_identity(kind, table, i) for i in range(len(table.cells))]
    labels = ("kode_bapas", kind.period_column, "versi")
    for position, label in enumerate(labels):
        values = {ident[position] for ident in identities if ident[position]}
        if len(values) > 1:
            shown = ", ".join(
                f"baris/row {int(table.row_numbers[i])}: {ident[position][:20]}"
                for i, ident in enumerate(identities)
                if ident[position]
            )
            raise SubmissionError(
                "ambiguous_identity",
                f"Sheet IDENTITAS berisi {len(identities)} baris dengan {label} berbeda "
                f"({shown}); tidak jelas laporan mana yang dikirim.",
                f"The IDENTITAS sheet has {len(identities)} rows with different {label} "
                f"({shown}); it is not clear which report this is.",
                sheet=table.source_name,
                row=int(table.row_numbers[1]),
                column=label,
                hint_id="Sisakan satu baris di sheet IDENTITAS (hapus baris lain), lalu kirim "
                "ulang.",
                hint_en="Keep one row in the IDENTITAS sheet (delete the others) and resend.",
            )
    return [
        f"IDENTITAS: {len(identities)} baris tidak saling bertentangan, baris pertama dipakai / "
        f"{len(identities)} rows that do not disagree, the first is used"
    ]


def validate_structure(book: RawWorkbook) -> Structure:
    """Locate every contract sheet and column and check the identity; raises SubmissionError.

    A SubmissionError carries the identity read before the problem (kind, a known Bapas, a
    readable period), so a rejected file still names the Bapas-month it was meant for.
    """
    kind, identity = _detect_kind(book)
    bapas, period = _identity_parts(kind, identity)
    try:
        return _check_structure(book, kind, identity, period)
    except SubmissionError as exc:
        if exc.error_code == "ambiguous_identity":
            # The first row is no more the file's identity than the others: keep only the kind.
            raise exc.with_identity(kind.kind, None, None) from None
        raise exc.with_identity(kind.kind, bapas.kode_bapas if bapas else None, period) from None


def _check_structure(
    book: RawWorkbook, kind: ReportKindSpec, identity: SheetTable, read: str | None
) -> Structure:
    # First: a formula without value in IDENTITAS reads blank and would be misnamed below.
    _formulas(book, identity)
    if identity.cells.empty:
        raise SubmissionError(
            "empty_sheet",
            "Sheet IDENTITAS kosong (tidak ada baris data di bawah judul).",
            "The IDENTITAS sheet is empty (no data row under the header).",
            sheet=identity.source_name,
            hint_id="Isi satu baris IDENTITAS: kode_bapas, periode, tanggal_laporan.",
            hint_en="Fill one IDENTITAS row: kode_bapas, periode, tanggal_laporan.",
        )
    copies = _single_identity(kind, identity)
    first = identity.cells.iloc[:1]
    bapas = _resolve_bapas(first["kode_bapas"].iloc[0], identity)
    if read is None:
        expected = "YYYY" if kind.period_type == "year" else "YYYY-MM"
        raise SubmissionError(
            "bad_period",
            f"Periode laporan tidak dapat dibaca (format yang diharapkan {expected}).",
            f"The reporting period cannot be read (expected {expected}).",
            sheet=identity.source_name,
            row=int(identity.row_numbers[0]),
            column=kind.period_column,
            value=str(first[kind.period_column].iloc[0])[:20],
            hint_id=f"Isi kolom {kind.period_column} dengan format {expected}, mis. 2025-03.",
            hint_en=f"Fill {kind.period_column} as {expected}, e.g. 2025-03.",
        )
    period = read
    start, end = period_bounds(period)
    if not bapas.is_active(start, end):
        raise SubmissionError(
            "inactive_bapas",
            f"Bapas {bapas.kode_bapas} tidak aktif pada periode {period}.",
            f"Bapas {bapas.kode_bapas} is not active in period {period}.",
            sheet=identity.source_name,
            row=int(identity.row_numbers[0]),
            column="kode_bapas",
            value=bapas.kode_bapas,
            hint_id="Periksa kode_bapas dan periode; hubungi Ditjenpas jika data Bapas keliru.",
            hint_en="Check kode_bapas and periode; contact Ditjenpas if the Bapas list is wrong.",
        )
    sheets = {kind.sheets[0].name: identity}
    sheet_notes: list[str] = []
    issues: list[RowIssue] = []
    for spec in kind.sheets:
        choice = choose_sheet(book, spec)
        if choice.rivals:
            raise duplicate_sheet(spec, choice.rivals)
        sheet_notes += choice.notes
        if spec.name in sheets:
            continue
        if choice.source is None:
            if spec.required:
                raise _missing_sheet(spec, book)
            continue
        sheets[spec.name] = _table(spec, choice.source, book.load(choice.source))
        found, formula_notes = _formulas(book, sheets[spec.name])
        issues += found
        sheet_notes += formula_notes
    notes = [
        f"{t.spec.name}: kolom tak dikenal diabaikan / unknown columns ignored: "
        f"{', '.join(t.ignored_columns)}"
        for t in sheets.values()
        if t.ignored_columns
    ]
    notes += sheet_notes + unknown_sheet_notes(book, kind)
    versi = _read_versi(first["versi"].iloc[0]) if "versi" in first else None
    return Structure(
        kind, bapas.kode_bapas, period, start, end, sheets, copies + notes, versi, issues
    )


def _formulas(book: RawWorkbook, table: SheetTable) -> tuple[list[RowIssue], list[str]]:
    """`sheets.formula_findings` for one located sheet (raises for IDENTITAS and key columns)."""
    cells = book.formula_cells.get(table.source_name)
    if not cells:
        return [], []
    positions = dict(table.positions)
    return formula_findings(table.spec, table.source_name, table.header_row, positions, cells)

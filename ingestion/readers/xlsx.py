"""xlsx reader: container safety checks first, then python-calamine (fast, no formulas run).

Only visible sheets are offered as data; hidden ones are listed apart (DESIGN §9). Cells holding
a formula without a stored value (a workbook written by a tool that does not calculate) read as
blank in calamine, so they are located in the sheet XML and reported, never taken as empty.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import cast

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetVisibleEnum,
    XmlError,
    ZipError,
)

from core.errors import SubmissionError
from ingestion.readers.base import (
    MAX_CELLS_PER_SHEET,
    ROW_SLACK,
    RawWorkbook,
    Rows,
    share_repeated,
    too_many_rows,
)
from ingestion.readers.safety import (
    ZIP_ERRORS,
    check_ole,
    check_zip_entries,
    malformed_xml,
    scan_xlsx_xml,
    unreadable_zip,
)


def _calamine_error(exc: Exception, sheet: str | None = None) -> SubmissionError:
    if isinstance(exc, PasswordError):
        return SubmissionError(
            "encrypted",
            "Berkas dilindungi kata sandi.",
            "The file is password-protected.",
            sheet=sheet,
            hint_id="Hapus kata sandi, simpan, lalu kirim ulang.",
            hint_en="Remove the password, save and resend.",
        )
    if isinstance(exc, XmlError):
        return malformed_xml(sheet or "workbook", str(exc)[:80])
    err = unreadable_zip(str(exc) if isinstance(exc, ZipError) else type(exc).__name__)
    err.sheet = sheet
    return err


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# A formula followed by no value, or an empty one, then the end of its cell. Only the gaps are
# matched, and the patterns start with a literal so the scan is fast on a sheet full of
# calculated formulas (~10 ms per MB). Group 1 is the empty <v>, when there is one.
_EMPTY_V = rb"\s*(<v\s*/>|<v>\s*</v>)?\s*</c>"
_GAP_AFTER_TEXT = re.compile(rb"</f>" + _EMPTY_V)  # <f>A2+1</f>: the formula starts earlier
_GAP_SHARED = re.compile(rb"<f\b[^>]*/>" + _EMPTY_V)  # <f t="shared" si="0"/>
# Any namespace prefix (<x:c><x:f>): slower, used only when the part has prefixed formulas.
_GAP_PREFIXED = re.compile(
    rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
_REF = re.compile(rb"\br=\"([A-Z]+)([0-9]+)\"")
_STRING_RESULT = re.compile(rb"\bt=\"str\"")
_MAX_CELL_OPEN = 512


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name in the zip -> sheet name, from workbook.xml and its relationships."""
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, DefusedXmlException, SyntaxError, ValueError, *ZIP_ERRORS):
        return {}
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels if rel.tag.endswith("Relationship")
    }
    parts: dict[str, str] = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        # Excel writes targets relative to xl/, openpyxl absolute ('/xl/worksheets/...').
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[posixpath.normpath(part).lower()] = sheet.get("name", "")
    return parts


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index - 1


def _gaps(xml: bytes) -> list[tuple[int, bool]]:
    """(start of the formula element, has an empty <v>) of every formula without a result."""
    if b":f>" in xml or b":f " in xml:
        return [(m.start(), m.group(1) is not None) for m in _GAP_PREFIXED.finditer(xml)]
    # Formula text never holds '<' (it is escaped), so its <f> is the last '<' before </f>.
    found = [
        (xml.rfind(b"<", 0, m.start()), m.group(1) is not None)
        for m in _GAP_AFTER_TEXT.finditer(xml)
    ]
    found += [(m.start(), m.group(1) is not None) for m in _GAP_SHARED.finditer(xml)]
    return sorted(found)


def formulas_without_value(xml: bytes) -> list[tuple[int, int]]:
    """0-based (row, column) of formula cells with no stored result ((-1, -1): no reference).

    An empty <v/> counts as no result, except on a text-result cell (t="str"), where it is
    the genuine empty text a formula such as =IF(A2="";"";...) calculated.
    """
    found: list[tuple[int, int]] = []
    for start, empty_value in _gaps(xml):
        # The cell's opening tag is the last one before its formula.
        opened = _CELL_OPEN.match(xml, max(0, xml.rfind(b"<c", 0, start)), start)
        attrs = opened.group(1) if opened else b""
        if opened is None:  # prefixed (<x:c ...>): look back through the window
            for candidate in _CELL_OPEN.finditer(xml, max(0, start - _MAX_CELL_OPEN), start):
                attrs = candidate.group(1)
        if empty_value and _STRING_RESULT.search(attrs):
            continue
        ref = _REF.search(attrs)
        found.append((int(ref.group(2)) - 1, _column_index(ref.group(1))) if ref else (-1, -1))
    return found


def _formula_cells(archive: zipfile.ZipFile, parts: set[str]) -> dict[str, list[tuple[int, int]]]:
    """Sheet name -> formula cells without value, for the worksheet parts that hold formulas."""
    names = _sheet_parts(archive)
    out: dict[str, list[tuple[int, int]]] = {}
    for part in sorted(parts):
        cells = formulas_without_value(archive.read(part))
        name = names.get(posixpath.normpath(part).lower())
        if cells and name:
            out[name] = cells
    return out


def open_xlsx(path: Path, max_rows: int | None = None) -> RawWorkbook:
    """Check the container, then open it lazily with calamine; raises SubmissionError."""
    check_ole(path)
    parts: set[str] = set()
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_entries(archive)
            scan_xlsx_xml(archive, parts)
            formulas = _formula_cells(archive, parts) if parts else {}
    except ZIP_ERRORS as exc:
        raise unreadable_zip(
            f"bukan xlsx yang utuh / not an intact xlsx: {type(exc).__name__}"
        ) from exc
    return calamine_workbook(path, "xlsx", max_rows, formulas)


def calamine_workbook(
    path: Path,
    file_format: str,
    max_rows: int | None,
    formulas: dict[str, list[tuple[int, int]]] | None = None,
) -> RawWorkbook:
    """Open a container already checked for safety with calamine (.xlsx and .ods alike).

    Hidden sheets are listed apart for both formats: calamine reports ODS visibility too
    (`table:display="false"`), so a hidden sheet in a LibreOffice file is never data either.
    """
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        hidden = {
            meta.name for meta in book.sheets_metadata if meta.visible != SheetVisibleEnum.Visible
        }
    except (CalamineError, OSError, ValueError) as exc:
        raise _calamine_error(exc) from exc

    def load(name: str) -> Rows:
        try:
            sheet = book.get_sheet_by_name(name)
            if sheet.height * sheet.width > MAX_CELLS_PER_SHEET:
                raise SubmissionError(
                    "too_large",
                    f"Sheet terlalu besar ({sheet.height} baris x {sheet.width} kolom).",
                    f"The sheet is too large ({sheet.height} rows x {sheet.width} columns).",
                    sheet=name,
                    hint_id="Hapus baris/kolom kosong terformat di bawah data, lalu kirim ulang.",
                    hint_en="Delete formatted empty rows/columns below the data and resend.",
                )
            # Refused before the cells become Python objects (issue #11 item 7: 600k rows
            # took 1 GB); the exact data-row count is checked after validation.
            if max_rows is not None and sheet.height > max_rows + ROW_SLACK:
                raise too_many_rows(name, sheet.height - 1, max_rows)
            rows = share_repeated(cast(Rows, sheet.to_python(skip_empty_area=False)))
        except (CalamineError, OSError, ValueError) as exc:
            raise _calamine_error(exc, name) from exc
        return rows

    visible = [n for n in names if n not in hidden]
    return RawWorkbook(
        file_format,
        visible,
        load,
        hidden_sheets=[n for n in names if n in hidden],
        formula_cells=formulas or {},
    )

"""xlsx reader: container safety checks first, then python-calamine (fast, no formulas run)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import cast

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError

from ingestion.errors import SubmissionError
from ingestion.readers.base import MAX_CELLS_PER_SHEET, RawWorkbook, Rows
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


def open_xlsx(path: Path) -> RawWorkbook:
    """Check the container, then open it lazily with calamine; raises SubmissionError."""
    check_ole(path)
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_entries(archive)
            scan_xlsx_xml(archive)
    except ZIP_ERRORS as exc:
        raise unreadable_zip(
            f"bukan xlsx yang utuh / not an intact xlsx: {type(exc).__name__}"
        ) from exc
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
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
            rows = cast(Rows, sheet.to_python(skip_empty_area=False))
        except (CalamineError, OSError, ValueError) as exc:
            raise _calamine_error(exc, name) from exc
        return rows

    return RawWorkbook("xlsx", names, load)

""".ods reader: LibreOffice's own format, read with the same checks and calamine as .xlsx.

Many government offices use LibreOffice and save in its native format; refusing `.ods` made
them re-save as .xlsx, which LibreOffice warns about on every save (issue #15 item 4). An .ods
is a zip of XML parts like an .xlsx, so the same container checks apply: declared sizes, no
password, actual sizes, no DOCTYPE/ENTITY. All cell data sits in one part (`content.xml`), so
that part is streamed and size-checked but not parsed ahead of calamine.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from core.errors import SubmissionError
from ingestion.readers.base import RawWorkbook
from ingestion.readers.safety import (
    ZIP_ERRORS,
    check_ole,
    check_zip_entries,
    scan_xlsx_xml,
    unreadable_zip,
)
from ingestion.readers.xlsx import calamine_workbook

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_BULK_PARTS = ("content.xml",)
_ENCRYPTION_MARK = b"encryption-data"


def _encrypted() -> SubmissionError:
    return SubmissionError(
        "encrypted",
        "Berkas dilindungi kata sandi.",
        "The file is password-protected.",
        hint_id="Buka berkas di LibreOffice, hapus kata sandi (Berkas > Properti > Keamanan), "
        "simpan, lalu kirim ulang.",
        hint_en="Open the file in LibreOffice, remove the password (File > Properties > "
        "Security), save and resend.",
        detail="META-INF/manifest.xml declares encryption-data",
    )


def _check_ods(archive: zipfile.ZipFile) -> None:
    """The mimetype says spreadsheet and no part is encrypted (LibreOffice's own password)."""
    names = set(archive.namelist())
    mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    if mimetype != ODS_MIMETYPE:
        raise unreadable_zip(f"mimetype {mimetype[:80]!r} is not {ODS_MIMETYPE.decode()}")
    if "META-INF/manifest.xml" in names:
        with archive.open("META-INF/manifest.xml") as handle:
            if _ENCRYPTION_MARK in handle.read(4 * 1024 * 1024):
                raise _encrypted()


def open_ods(path: Path, max_rows: int | None = None) -> RawWorkbook:
    """Check the container, then open it lazily with calamine; raises SubmissionError."""
    check_ole(path)
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_entries(archive)
            _check_ods(archive)
            scan_xlsx_xml(archive, None, _BULK_PARTS)
    except ZIP_ERRORS as exc:
        raise unreadable_zip(f"not an intact ods zip: {type(exc).__name__}: {exc}") from exc
    return calamine_workbook(path, "ods", max_rows)

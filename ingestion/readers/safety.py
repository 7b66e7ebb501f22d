"""Checks against hostile containers: zip bombs, XML entity tricks, encrypted/legacy OLE files."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ingestion.errors import SubmissionError
from ingestion.readers.base import (
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_ENTRIES,
    RATIO_CHECK_MIN_BYTES,
)

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
# Parts small enough to parse fully with defusedxml (workbook, rels, content types, styles);
# worksheets and shared strings are only byte-scanned, calamine's parser never expands entities.
SMALL_XML_BYTES = 512 * 1024
_BULK_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")
_CHUNK = 1024 * 1024
# What the zipfile module raises on damaged or exotic archives (fuzzing found each of these).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    ValueError,
    EOFError,
    OSError,
    zlib.error,
)


def check_ole(path: Path) -> None:
    """Refuse OLE compound files: a password-protected xlsx or a legacy .xls workbook."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if head != OLE_MAGIC:
            return
        body = handle.read(4 * 1024 * 1024)
    if ENCRYPTED_MARK in body:
        raise SubmissionError(
            "encrypted",
            "Berkas dilindungi kata sandi (terenkripsi) sehingga tidak dapat dibaca.",
            "The file is password-protected (encrypted) and cannot be read.",
            hint_id="Hapus kata sandi (File > Info > Protect Workbook), simpan, lalu kirim ulang.",
            hint_en="Remove the password (File > Info > Protect Workbook), save and resend.",
        )
    raise SubmissionError(
        "unreadable",
        "Berkas berformat Excel lama (.xls), bukan .xlsx.",
        "The file is a legacy Excel workbook (.xls), not .xlsx.",
        hint_id="Buka berkas lalu simpan sebagai 'Excel Workbook (.xlsx)', kemudian kirim ulang.",
        hint_en="Open the file, save it as 'Excel Workbook (.xlsx)' and resend.",
    )


def _bomb(detail: str) -> SubmissionError:
    return SubmissionError(
        "zip_bomb",
        f"Berkas terkompresi tidak wajar ({detail}); berkas tidak diproses.",
        f"The compressed file is abnormal ({detail}); it was not processed.",
        hint_id="Kirim ulang berkas asli yang disimpan dari Excel/LibreOffice tanpa diubah.",
        hint_en="Resend the original file as saved by Excel/LibreOffice, unmodified.",
    )


def check_zip_entries(archive: zipfile.ZipFile) -> None:
    """Declared sizes: entry count, total size and compression ratio within limits."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _bomb(f"{len(infos)} entri / entries")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise _bomb(f"rasio / ratio {ratio:.0f}:1")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _bomb(f"{total // (1024 * 1024)} MB setelah diekstrak / uncompressed")


def read_entry_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Decompress one entry, stopping at `budget` bytes whatever the header claims."""
    out = bytearray()
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                out += chunk
                if len(out) > budget:
                    raise _bomb("ukuran sebenarnya melebihi batas / actual size over the limit")
    except ZIP_ERRORS as exc:
        raise unreadable_zip(str(exc)) from exc
    return bytes(out)


def unreadable_zip(detail: str) -> SubmissionError:
    """The container itself is broken."""
    return SubmissionError(
        "unreadable",
        f"Berkas rusak dan tidak dapat dibuka ({detail[:80]}).",
        f"The file is damaged and cannot be opened ({detail[:80]}).",
        hint_id="Simpan ulang berkas dari Excel/LibreOffice lalu kirim ulang.",
        hint_en="Save the file again from Excel/LibreOffice and resend.",
    )


def malformed_xml(entry: str, detail: str) -> SubmissionError:
    """An XML part is broken or uses DTD/entity constructs (never in a genuine workbook)."""
    return SubmissionError(
        "malformed_xml",
        f"Isi berkas (bagian {entry}) rusak atau mengandung konstruksi XML terlarang: {detail}.",
        f"The file content (part {entry}) is malformed or uses forbidden XML constructs: {detail}.",
        hint_id="Simpan ulang berkas dari Excel/LibreOffice lalu kirim ulang.",
        hint_en="Save the file again from Excel/LibreOffice and resend.",
    )


def scan_xlsx_xml(archive: zipfile.ZipFile) -> None:
    """Stream every XML part: actual sizes within budget, no DOCTYPE/ENTITY, small parts parse.

    Genuine Excel and LibreOffice files never declare a DTD, so any DOCTYPE is refused before
    the workbook reaches the real parser (billion-laughs, external entities).
    """
    budget = MAX_UNCOMPRESSED_BYTES
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        size = 0
        small = bytearray()
        parse_small = not name.lower().startswith(_BULK_PARTS)
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    if size > budget:
                        raise _bomb("ukuran sebenarnya melebihi batas / actual size over the limit")
                    window = (tail + chunk).lower()
                    if b"<!doctype" in window or b"<!entity" in window:
                        raise malformed_xml(name, "DOCTYPE/ENTITY")
                    tail = chunk[-16:]
                    if parse_small and size <= SMALL_XML_BYTES:
                        small += chunk
        except ZIP_ERRORS as exc:
            raise unreadable_zip(str(exc)) from exc
        budget -= size
        if parse_small and size <= SMALL_XML_BYTES:
            try:
                fromstring(bytes(small))
            except (DefusedXmlException, SyntaxError, ValueError) as exc:
                raise malformed_xml(name, type(exc).__name__) from exc

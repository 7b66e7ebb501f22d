"""Checks against hostile containers: zip bombs, XML entity tricks, encrypted/legacy OLE files."""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from core.errors import SubmissionError
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
# Start of a cell formula element (<f>, <f t="shared" .../>, or with a namespace prefix, <x:f>);
# plain substring tests, ~10x faster than a regex over every tag of a large sheet. A false
# positive (":f" elsewhere) only costs reading that part once more.
_FORMULA_MARKS = (b"<f", b":f")
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


def _bomb(what_id: str, what_en: str, detail: str) -> SubmissionError:
    return SubmissionError(
        "zip_bomb",
        f"Berkas terkompresi tidak wajar ({what_id}); berkas tidak diproses.",
        f"The compressed file is abnormal ({what_en}); it was not processed.",
        hint_id="Kirim ulang berkas asli yang disimpan dari Excel/LibreOffice tanpa diubah.",
        hint_en="Resend the original file as saved by Excel/LibreOffice, unmodified.",
        detail=detail,
    )


def _over_actual_budget() -> SubmissionError:
    return _bomb(
        "isinya jauh lebih besar daripada yang tercatat",
        "its content is far larger than declared",
        f"actual uncompressed size over {MAX_UNCOMPRESSED_BYTES} bytes",
    )


def is_symlink_entry(info: zipfile.ZipInfo) -> bool:
    """A zip entry stored as a symbolic link (its 'content' is a path): never read as data."""
    return stat.S_ISLNK(info.external_attr >> 16)


def _encrypted_zip(count: int) -> SubmissionError:
    return SubmissionError(
        "encrypted",
        "Berkas dilindungi kata sandi (terenkripsi) sehingga tidak dapat dibaca.",
        "The file is password-protected (encrypted) and cannot be read.",
        hint_id="Buat ulang zip/berkas tanpa kata sandi, lalu kirim ulang.",
        hint_en="Create the zip/file again without a password and resend.",
        detail=f"{count} zip entries have the encryption flag (general purpose bit 0)",
    )


def unpacked_too_large(total: int, compressed: int, limit: int) -> SubmissionError:
    """A container that is simply too big once extracted (an ordinary compression ratio).

    Before, this was `zip_bomb` ("berkas terkompresi tidak wajar"), which told a clerk with a
    genuinely huge workbook (images, formatted million-row ranges) that the file was hostile.
    """
    mb, limit_mb = total // (1024 * 1024), limit // (1024 * 1024)
    return SubmissionError(
        "too_large",
        f"Berkas berukuran {mb} MB setelah diekstrak, melebihi batas {limit_mb} MB.",
        f"The file is {mb} MB once extracted, over the {limit_mb} MB limit.",
        hint_id="Hapus gambar/lampiran dan baris atau kolom kosong yang terformat sampai bawah "
        "sheet, simpan, lalu kirim ulang; hubungi Ditjenpas jika datanya memang sebesar itu.",
        hint_en="Remove images/attachments and empty rows or columns formatted down the sheet, "
        "save and resend; contact Ditjenpas if the data really is that large.",
        detail=f"declared uncompressed total {total} > {limit} bytes "
        f"(compressed {compressed}, ratio {total / max(compressed, 1):.0f}:1)",
    )


def check_zip_entries(archive: zipfile.ZipFile, max_uncompressed: int | None = None) -> None:
    """Declared sizes: entry count, total size and compression ratio within limits.

    Also refuses a password-protected zip (the zipfile module would raise a bare RuntimeError
    on the first read, issue #11 item 9). Past `max_uncompressed` (default
    MAX_UNCOMPRESSED_BYTES) the whole archive is `zip_bomb` only at a bomb's ratio; at an
    ordinary ratio it is simply `too_large`.
    """
    limit = MAX_UNCOMPRESSED_BYTES if max_uncompressed is None else max_uncompressed
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _bomb(
            f"berisi {len(infos):,} bagian, batasnya {MAX_ZIP_ENTRIES:,}".replace(",", "."),
            f"{len(infos):,} entries, the limit is {MAX_ZIP_ENTRIES:,}",
            f"zip entries {len(infos)} > MAX_ZIP_ENTRIES {MAX_ZIP_ENTRIES}",
        )
    encrypted = sum(bool(info.flag_bits & 0x1) for info in infos)
    if encrypted:
        raise _encrypted_zip(encrypted)
    total = compressed = 0
    for info in infos:
        total += info.file_size
        compressed += info.compress_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise _bomb(
                f"satu bagian mengembang {ratio:.0f} kali",
                f"one entry expands {ratio:.0f} times",
                f"entry {info.filename!r}: ratio {ratio:.0f}:1 > {MAX_COMPRESSION_RATIO}:1",
            )
    if total <= limit:
        return
    if total / max(compressed, 1) <= MAX_COMPRESSION_RATIO:
        raise unpacked_too_large(total, compressed, limit)
    mb = total // (1024 * 1024)
    raise _bomb(
        f"{mb} MB setelah diekstrak", f"{mb} MB once extracted",
        f"declared uncompressed total {total} > {limit} bytes",
    )  # fmt: skip


def read_entry_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Decompress one entry, stopping at `budget` bytes whatever the header claims."""
    out = bytearray()
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                out += chunk
                if len(out) > budget:
                    raise _over_actual_budget()
    except ZIP_ERRORS as exc:
        raise unreadable_zip(f"{type(exc).__name__}: {exc}") from exc
    return bytes(out)


def unreadable_zip(detail: str) -> SubmissionError:
    """The container itself is broken; `detail` (the library's words) is for the operator only."""
    return SubmissionError(
        "unreadable",
        "Berkas rusak dan tidak dapat dibuka.",
        "The file is damaged and cannot be opened.",
        hint_id="Buka berkas di Excel/LibreOffice, simpan ulang dengan 'Simpan Sebagai', "
        "lalu kirim ulang.",
        hint_en="Open the file in Excel/LibreOffice, save it again with 'Save As' and resend.",
        detail=detail[:300],
    )


def malformed_xml(entry: str, detail: str) -> SubmissionError:
    """An XML part is broken or uses DTD/entity constructs (never in a genuine workbook).

    The part name and the parser's message go to the operator-only detail.
    """
    return SubmissionError(
        "malformed_xml",
        "Isi berkas rusak atau berisi bagian yang tidak diizinkan, sehingga tidak dapat dibaca.",
        "The file content is damaged or holds parts that are not allowed, so it cannot be read.",
        hint_id="Buka berkas di Excel/LibreOffice, simpan ulang dengan 'Simpan Sebagai', "
        "lalu kirim ulang.",
        hint_en="Open the file in Excel/LibreOffice, save it again with 'Save As' and resend.",
        detail=f"XML part {entry}: {detail}"[:300],
    )


def _declares_dtd(window: bytes) -> bool:
    """A DOCTYPE or ENTITY declaration, in any letter case (only called where "<!" occurs)."""
    low = window.lower()
    return b"<!doctype" in low or b"<!entity" in low


def _has_formula(data: bytes) -> bool:
    return any(mark in data for mark in _FORMULA_MARKS)


def scan_xlsx_xml(
    archive: zipfile.ZipFile,
    formula_parts: set[str] | None = None,
    bulk_parts: tuple[str, ...] = _BULK_PARTS,
) -> None:
    """Stream every XML part: actual sizes within budget, no DOCTYPE/ENTITY, small parts parse.

    Genuine Excel and LibreOffice files never declare a DTD, so any DOCTYPE is refused before
    the workbook reaches the real parser (billion-laughs, external entities). Worksheet parts
    holding a formula tag are added to `formula_parts` (when given) in the same pass, so only
    those are read again to look for formulas without a stored value.
    """
    budget = MAX_UNCOMPRESSED_BYTES
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        size = 0
        small = bytearray()
        parse_small = not name.lower().startswith(bulk_parts)
        look = formula_parts is not None and name.lower().startswith("xl/worksheets/")
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    if size > budget:
                        raise _over_actual_budget()
                    # Searched in place (no lowered copy of each megabyte); `edge` catches a
                    # mark split across two chunks.
                    edge = tail + chunk[:16]
                    if (b"<!" in chunk or b"<!" in edge) and _declares_dtd(tail + chunk):
                        raise malformed_xml(name, "DOCTYPE/ENTITY")
                    if look and (_has_formula(chunk) or _has_formula(edge)):
                        formula_parts.add(name)  # type: ignore[union-attr]
                        look = False
                    tail = chunk[-16:]
                    if parse_small and size <= SMALL_XML_BYTES:
                        small += chunk
        except ZIP_ERRORS as exc:
            raise unreadable_zip(f"{name}: {type(exc).__name__}: {exc}") from exc
        budget -= size
        if parse_small and size <= SMALL_XML_BYTES:
            try:
                fromstring(bytes(small))
            except (DefusedXmlException, SyntaxError, ValueError) as exc:
                raise malformed_xml(name, f"{type(exc).__name__}: {exc}") from exc


def over_actual_budget() -> SubmissionError:
    """An entry's real content passed the uncompressed budget (for readers that stream)."""
    return _over_actual_budget()

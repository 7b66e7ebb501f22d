"""CSV readers: a folder of CSV files or a zip of them, one file per sheet, encoding detected."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path, PurePosixPath

from ingestion.errors import SubmissionError
from ingestion.readers.base import MAX_UNCOMPRESSED_BYTES, RawWorkbook, Rows
from ingestion.readers.safety import (
    ZIP_ERRORS,
    check_ole,
    check_zip_entries,
    read_entry_capped,
    unreadable_zip,
)

DELIMITERS = (",", ";", "\t", "|")


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Windows-1252 is the fallback because that is what Excel on Indonesian Windows writes for
    'CSV (Comma delimited)'; it decodes any byte, so undefined bytes become U+FFFD.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def parse_csv(data: bytes, name: str) -> Rows:
    """Rows of one CSV; the delimiter is whichever of , ; TAB | the header line uses most."""
    text, _ = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise SubmissionError(
            "unreadable",
            f"Berkas CSV tidak dapat dibaca: {exc}.",
            f"The CSV file cannot be read: {exc}.",
            sheet=name,
            hint_id="Simpan ulang dari Excel sebagai 'CSV UTF-8' lalu kirim ulang.",
            hint_en="Save again from Excel as 'CSV UTF-8' and resend.",
        ) from exc


def _workbook(fmt: str, files: dict[str, bytes]) -> RawWorkbook:
    cache: dict[str, Rows] = {}

    def load(name: str) -> Rows:
        if name not in cache:
            cache[name] = parse_csv(files[name], name)
        return cache[name]

    return RawWorkbook(fmt, sorted(files), load)


def open_csv_folder(path: Path, max_bytes: int) -> RawWorkbook:
    """Every *.csv directly in `path` (sheet name = file stem)."""
    files: dict[str, bytes] = {}
    total = 0
    for child in sorted(path.iterdir()):
        if child.is_file() and child.suffix.lower() == ".csv" and not child.name.startswith("."):
            total += child.stat().st_size
            if total > max_bytes:
                raise too_large(total, max_bytes)
            files.setdefault(child.stem, child.read_bytes())
    return _workbook("csv_folder", files)


def open_csv_zip(path: Path) -> RawWorkbook:
    """Every *.csv inside a zip (any folder depth; the shallowest wins on a name clash)."""
    check_ole(path)
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip_entries(archive)
            budget = MAX_UNCOMPRESSED_BYTES
            entries = [
                i
                for i in archive.infolist()
                if not i.is_dir()
                and i.filename.lower().endswith(".csv")
                and not i.filename.startswith("__MACOSX/")
            ]
            for info in sorted(entries, key=lambda i: (i.filename.count("/"), i.filename)):
                stem = PurePosixPath(info.filename).stem
                if stem in files:
                    continue
                data = read_entry_capped(archive, info, budget)
                budget -= len(data)
                files[stem] = data
    except ZIP_ERRORS as exc:
        raise unreadable_zip(f"zip rusak / broken zip: {type(exc).__name__}") from exc
    return _workbook("zip", files)


def too_large(size: int, limit: int) -> SubmissionError:
    """The submission exceeds LIPAS_MAX_FILE_MB."""
    mb, limit_mb = size / 1024 / 1024, limit / 1024 / 1024
    return SubmissionError(
        "too_large",
        f"Ukuran berkas {mb:.1f} MB melebihi batas {limit_mb:.0f} MB.",
        f"The file size {mb:.1f} MB exceeds the {limit_mb:.0f} MB limit.",
        hint_id="Hapus lampiran/gambar dan baris kosong terformat, atau hubungi Ditjenpas.",
        hint_en="Remove images and formatted empty rows, or contact Ditjenpas.",
    )
